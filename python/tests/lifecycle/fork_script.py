"""Fork safety outside a server: multiprocessing (fork start method) and plain os.fork(), with
every authjwt object made at import time and used in the parent before the forks.

Prints "ok <step>" per step and "all ok" at the end; any hang is cut by the step's own timeout
(the pool's get(timeout=...), a bounded waitpid) and reported as a failure.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import authjwt

SECRET = "a fork-test secret of more than 32 characters"
STEP_TIMEOUT = 30


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/slow/"):
            time.sleep(1.0)
        if self.path.startswith("/hang/"):
            time.sleep(20)
        body = json.dumps(DOCUMENT).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


# --- at import: a server, an issuer and key sets, all used once in the parent -----------------
issuer = authjwt.Issuer(secret=SECRET, key_cache_ttl=1)
DOCUMENT = issuer.jwks()
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
BASE = f"http://127.0.0.1:{server.server_address[1]}"
keys = authjwt.RemoteKeySet(f"{BASE}/jwks", cache_max_age=1, timeout=5)
slow_keys = authjwt.RemoteKeySet(f"{BASE}/slow/jwks", timeout=5)
hanging_keys = authjwt.RemoteKeySet(f"{BASE}/hang/jwks", timeout=0.5)
async_issuer = authjwt.AsyncIssuer(secret=SECRET, key_cache_ttl=1)
async_keys = authjwt.AsyncRemoteKeySet(f"{BASE}/jwks", cache_max_age=1, timeout=5)
assert keys.verify(issuer.sign({"sub": "parent"})).payload["sub"] == "parent"


async def warm() -> None:
    # The async issuer's own key is not in DOCUMENT: it verifies its own tokens.
    await async_issuer.verify(await async_issuer.sign({"sub": "parent"}))
    await async_keys.reload()


asyncio.run(warm())


def round_trip(tag: str) -> str:
    """Signs and verifies with the sync objects, then with the async ones on a new loop."""
    sub = f"{tag}-{os.getpid()}"
    assert keys.verify(issuer.sign({"sub": sub})).payload["sub"] == sub
    assert keys.reload() == 1

    async def in_loop() -> None:
        token = await async_issuer.sign({"sub": sub})
        assert (await async_issuer.verify(token)).payload["sub"] == sub
        assert await async_keys.reload() == 1
        assert (await async_keys.verify(issuer.sign({"sub": sub}))).payload["sub"] == sub

    asyncio.run(in_loop())
    return sub


def ok(step: str) -> None:
    print("ok", step, flush=True)


def multiprocessing_fork() -> None:
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        first = pool.map_async(round_trip, ["mp"] * 4).get(timeout=STEP_TIMEOUT)
        time.sleep(2.2)  # past key_cache_ttl and cache_max_age: the children refresh
        second = pool.map_async(round_trip, ["mp"] * 4).get(timeout=STEP_TIMEOUT)
    assert all(s.startswith("mp-") for s in first + second)
    ok("multiprocessing fork pool, before and after the refresh points")


_per_worker: "authjwt.RemoteKeySet | None" = None


def per_worker_init() -> None:
    global _per_worker
    _per_worker = authjwt.RemoteKeySet(f"{BASE}/jwks", timeout=5)


def per_worker_verify(token: str) -> str:
    assert _per_worker is not None
    return str(_per_worker.verify(token).payload["sub"])


def multiprocessing_initializer() -> None:
    ctx = multiprocessing.get_context("fork")
    token = issuer.sign({"sub": "init"})
    with ctx.Pool(2, initializer=per_worker_init) as pool:
        assert pool.map_async(per_worker_verify, [token] * 4).get(timeout=STEP_TIMEOUT) == ["init"] * 4
    ok("multiprocessing fork pool with a key set made per worker")


def in_child(work) -> int:  # type: ignore[no-untyped-def]
    """Runs `work` in an os.fork() child; returns its exit status (killed after STEP_TIMEOUT)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            work()
            code = 0
        except BaseException as e:  # noqa: BLE001 (reported, then the child ends)
            print(f"child failed: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        finally:
            os._exit(code)
    deadline = time.monotonic() + STEP_TIMEOUT
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the forked child hung")


def plain_fork() -> None:
    assert in_child(lambda: round_trip("fork")) == 0
    time.sleep(2.2)
    assert in_child(lambda: round_trip("fork-late")) == 0
    round_trip("parent-after-children")
    ok("os.fork children, before and after the refresh points; the parent still works")


def fork_during_a_fetch() -> None:
    results = []
    parent_fetch = threading.Thread(target=lambda: results.append(slow_keys.reload()))
    parent_fetch.start()
    time.sleep(0.3)  # the parent's fetch is in flight (the server answers after 1 s)
    # The child must not wait for the parent's flight, which no thread of the child will finish.
    assert in_child(lambda: slow_keys.reload()) == 0
    parent_fetch.join(timeout=STEP_TIMEOUT)
    assert results == [1], results
    assert slow_keys.reload() == 1
    ok("a fork during the parent's fetch: child and parent both complete")


def timeout_in_child() -> None:
    def fetch() -> None:
        # The server answers after 20 s: only the key set's 0.5 s timeout makes this raise.
        try:
            hanging_keys.reload()
        except authjwt.JWKSTimeout:
            return
        raise AssertionError("expected JWKSTimeout")

    assert in_child(fetch) == 0
    ok("the fetch timeout holds in a forked child")


if __name__ == "__main__":
    multiprocessing_fork()
    multiprocessing_initializer()
    plain_fork()
    fork_during_a_fetch()
    timeout_in_child()
    print("all ok", flush=True)
