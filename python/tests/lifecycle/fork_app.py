"""The app of the gunicorn fork-safety tests (WSGI `app`, ASGI `asgi`). Every authjwt object is
made at import, so with --preload they are made in gunicorn's master, before it forks workers.
Short caches (1 s) so that the tests cross the refresh points."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import datetime
from typing import Any, Callable, Dict, List

import authjwt

SECRET = os.environ["AUTHJWT_TEST_SECRET"]
JWKS_URL = os.environ["AUTHJWT_TEST_JWKS_URL"]
with open(os.environ["AUTHJWT_TEST_ROWS"]) as f:
    ROWS: List[Dict[str, Any]] = json.load(f)


class ReadOnlyStore:
    """The key the test made, as its store wrote it; this app never creates keys."""

    def get_jwks(self) -> List[authjwt.JwkRow]:
        return [
            authjwt.JwkRow.from_dict({**r, "createdAt": datetime.fromisoformat(r["createdAt"])})
            for r in ROWS
        ]

    def create_jwk(self, row: authjwt.JwkRow) -> authjwt.JwkRow:
        raise RuntimeError("this test store is read-only")


issuer = authjwt.Issuer(store=ReadOnlyStore(), secret=SECRET, key_cache_ttl=1)
keys = authjwt.RemoteKeySet(JWKS_URL, cache_max_age=1, timeout=3)
async_issuer = authjwt.AsyncIssuer(store=ReadOnlyStore(), secret=SECRET, key_cache_ttl=1)
async_keys = authjwt.AsyncRemoteKeySet(JWKS_URL, cache_max_age=1, timeout=3)

if os.environ.get("AUTHJWT_TEST_WARM") == "1":
    # Warm every cache (and start the runtime) in the process that imports the app.
    keys.verify(issuer.sign({"sub": "import"}))

    async def warm() -> None:
        await async_keys.verify(await async_issuer.sign({"sub": "import"}))

    asyncio.run(warm())


def answer(subs: List[str]) -> bytes:
    return json.dumps({"pid": os.getpid(), "subs": subs}).encode()


def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> List[bytes]:
    sub = f"wsgi-{os.getpid()}"
    body = answer([keys.verify(issuer.sign({"sub": sub})).payload["sub"]])
    start_response("200 OK", [("content-type", "application/json"), ("content-length", str(len(body)))])
    return [body]


async def asgi(scope: Dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    sub = f"asgi-{os.getpid()}"
    token = await async_issuer.sign({"sub": sub})
    subs = [
        (await async_keys.verify(token)).payload["sub"],
        (await async_issuer.verify(token)).payload["sub"],
        keys.verify(issuer.sign({"sub": sub})).payload["sub"],
    ]
    body = answer(subs)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
