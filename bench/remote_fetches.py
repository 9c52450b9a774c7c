"""The Python side of bench/remote-fetches.mjs (run by it, never alone): authjwt's RemoteKeySet
(threads), AsyncRemoteKeySet (asyncio) and PyJWT's PyJWKClient (threads) against the JWKS server
the Node program starts. Protocol, one JSON object per line: the first line on stdin gives the
server and the tokens, and this program answers with the options it gave each library; then each
scenario line is answered with {"results": {library: {verified, failed, errors}}}.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict

import jwt
from jwt import PyJWKClient

import authjwt

CONFIG = {
    "authjwt (Python sync)": "RemoteKeySet(url, cache_min_age=1, cache_max_age=2, cooldown=1): the "
    "server's max-age=2 applies; stale_if_error default (1 day)",
    "authjwt (Python async)": "AsyncRemoteKeySet(url, cache_min_age=1, cache_max_age=2, cooldown=1)",
    "PyJWT": f"PyJWKClient(url, lifespan=2, cooldown_duration=1), PyJWT {jwt.__version__}: "
    "PyJWT does not read Cache-Control; cache_keys off (its default: the per-kid LRU never expires)",
}

# Smaller thread stacks: the bursts start 1,000 threads.
threading.stack_size(256 * 1024)


def error_name(e: BaseException) -> str:
    return getattr(e, "code", None) or type(e).__name__


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.verified = 0
        self.failed = 0
        self.errors: Dict[str, int] = {}

    def ok(self) -> None:
        with self.lock:
            self.verified += 1

    def fail(self, e: BaseException) -> None:
        with self.lock:
            self.failed += 1
            name = error_name(e)
            self.errors[name] = self.errors.get(name, 0) + 1

    def as_json(self) -> Dict[str, Any]:
        return {"verified": self.verified, "failed": self.failed, "errors": self.errors}


def slug(client: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", client.lower()).strip("-")


def sync_verifier(client: str, url: str, iss: str, aud: str) -> Callable[[str], Any]:
    if client == "PyJWT":
        jwks = PyJWKClient(url, lifespan=2, cooldown_duration=1)

        def verify_pyjwt(token: str) -> Any:
            key = jwks.get_signing_key_from_jwt(token)
            return jwt.decode(token, key, algorithms=["ES256"], issuer=iss, audience=aud)

        return verify_pyjwt
    keys = authjwt.RemoteKeySet(url, cache_min_age=1, cache_max_age=2, cooldown=1)
    return lambda token: keys.verify(token, issuer=iss, audience=aud)


def run_sync(client: str, scenario: Dict[str, Any], hello: Dict[str, Any]) -> Dict[str, Any]:
    url = f"{hello['base']}/{scenario['slug']}/{slug(client)}/jwks.json"
    verify = sync_verifier(client, url, hello["iss"], hello["aud"])
    tally = Tally()

    def one(token: str) -> None:
        try:
            verify(token)
            tally.ok()
        except Exception as e:  # every failure is counted, by its code or type
            tally.fail(e)

    def burst(token: str) -> None:
        # One thread per verification, released together: 1,000 really concurrent callers.
        barrier = threading.Barrier(hello["burst"])

        def call() -> None:
            barrier.wait()
            one(token)

        threads = [threading.Thread(target=call) for _ in range(hello["burst"])]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    tokens = hello["tokens"]
    if scenario["kind"] == "burst":
        burst(tokens["first"])
    elif scenario["kind"] == "rotation":
        one(tokens["first"])
        time.sleep((scenario["rotateAfterMs"] + 200) / 1000)
        burst(tokens["rotated"])
    else:
        # On schedule whatever a call waits for: each tick hands one verification to the pool.
        with ThreadPoolExecutor(max_workers=32) as pool:
            end = time.monotonic() + scenario["durationMs"] / 1000
            while time.monotonic() < end:
                pool.submit(one, tokens["first"])
                time.sleep(hello["trickleMs"] / 1000)
    return tally.as_json()


async def run_async(scenario: Dict[str, Any], hello: Dict[str, Any]) -> Dict[str, Any]:
    url = f"{hello['base']}/{scenario['slug']}/{slug('authjwt (Python async)')}/jwks.json"
    keys = authjwt.AsyncRemoteKeySet(url, cache_min_age=1, cache_max_age=2, cooldown=1)
    tally = Tally()

    async def one(token: str) -> None:
        try:
            await keys.verify(token, issuer=hello["iss"], audience=hello["aud"])
            tally.ok()
        except Exception as e:
            tally.fail(e)

    tokens = hello["tokens"]
    if scenario["kind"] == "burst":
        await asyncio.gather(*(one(tokens["first"]) for _ in range(hello["burst"])))
    elif scenario["kind"] == "rotation":
        await one(tokens["first"])
        await asyncio.sleep((scenario["rotateAfterMs"] + 200) / 1000)
        await asyncio.gather(*(one(tokens["rotated"]) for _ in range(hello["burst"])))
    else:
        pending = []
        end = time.monotonic() + scenario["durationMs"] / 1000
        while time.monotonic() < end:
            pending.append(asyncio.ensure_future(one(tokens["first"])))
            await asyncio.sleep(hello["trickleMs"] / 1000)
        await asyncio.gather(*pending)
    return tally.as_json()


def main() -> None:
    hello = json.loads(sys.stdin.readline())
    print(json.dumps({"config": CONFIG}), flush=True)
    for line in sys.stdin:
        scenario = json.loads(line)
        results: Dict[str, Any] = {}

        def in_thread(client: str) -> None:
            results[client] = run_sync(client, scenario, hello)

        def async_thread() -> None:
            results["authjwt (Python async)"] = asyncio.run(run_async(scenario, hello))

        threads = [
            threading.Thread(target=in_thread, args=("authjwt (Python sync)",)),
            threading.Thread(target=async_thread),
            threading.Thread(target=in_thread, args=("PyJWT",)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ordered = {c: results[c] for c in CONFIG}
        print(json.dumps({"results": ordered}), flush=True)


if __name__ == "__main__":
    main()
