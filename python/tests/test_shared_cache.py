"""The shared JWKS cache (``cache=``) of RemoteKeySet / AsyncRemoteKeySet: many key sets over one
cache make one fetch, what the cache returns is validated, and a failing cache never fails a
verification. Against a real JWKS server on 127.0.0.1 and a real redis-server started here
(scripts/suites/40-python.sh installs Debian's redis-server when it is missing)."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, Dict, Iterator, List, Optional, Union

import pytest
import redis
import redis.asyncio

import authjwt
from authjwt import AsyncRemoteKeySet, JwksCacheEntry, RemoteKeySet
from authjwt.redis import AsyncRedisJwksCache, RedisJwksCache

from conftest import LoopbackHttpServer, make_issuer


class CountingJwksServer(LoopbackHttpServer):
    """The issuer's JWKS with an ETag and `Cache-Control: max-age=60`; counts requests."""

    path = "/jwks"

    def __init__(self, document: Dict[str, Any]) -> None:
        self.body = json.dumps(document).encode()
        self.lock = threading.Lock()
        self.requests = 0
        super().__init__()

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.requests += 1
        time.sleep(0.05)  # a fetch that takes a while, so concurrent callers overlap it
        request.send_response(200)
        request.send_header("etag", '"v1"')
        request.send_header("cache-control", "max-age=60")
        request.send_header("content-type", "application/json")
        request.send_header("content-length", str(len(self.body)))
        request.end_headers()
        request.wfile.write(self.body)


class MemoryCache:
    """A sync cache in process memory, shared by the key sets given it; claim by a lock-free flag."""

    def __init__(self) -> None:
        self.stored: Optional[str] = None
        self.saves: List[JwksCacheEntry] = []
        self.claimed = False
        self.lock = threading.Lock()

    def load(self) -> Optional[str]:
        return self.stored

    def save(self, entry: JwksCacheEntry) -> None:
        self.saves.append(entry)
        self.stored = entry.to_json()

    def claim(self, ttl: float) -> bool:
        assert ttl > 0
        with self.lock:
            if self.claimed:
                return False
            self.claimed = True
            return True

    def release(self) -> None:
        with self.lock:
            self.claimed = False


class Events:
    def __init__(self) -> None:
        self.seen: List[Dict[str, Any]] = []

    def __call__(self, event: Dict[str, Any]) -> None:
        self.seen.append(event)

    def of(self, kind: str) -> List[Dict[str, Any]]:
        return [e for e in self.seen if e["type"] == kind]


@pytest.fixture
def issuer() -> authjwt.Issuer:
    return make_issuer()


@pytest.fixture
def server(issuer: authjwt.Issuer) -> Iterator[CountingJwksServer]:
    s = CountingJwksServer(issuer.jwks())
    try:
        yield s
    finally:
        s.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (scripts/suites/40-python.sh installs it)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not answer PING")
        client.close()
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def redis_client(redis_url: str) -> Iterator["redis.Redis"]:
    client: "redis.Redis" = redis.Redis.from_url(redis_url)
    client.flushdb()
    try:
        yield client
    finally:
        client.close()


def test_key_sets_sharing_a_memory_cache_fetch_once(
    issuer: authjwt.Issuer, server: CountingJwksServer
) -> None:
    cache = MemoryCache()
    token = issuer.sign({"sub": "u1"})
    first = RemoteKeySet(server.url, cache=cache)
    assert first.verify(token).payload["sub"] == "u1"
    assert server.requests == 1
    (entry,) = cache.saves
    assert entry.url == server.url and entry.etag == '"v1"'
    assert json.loads(entry.body) == issuer.jwks()
    assert entry.lifetime == 60_000 and entry.fetched_at > 0
    assert JwksCacheEntry.from_json(entry.to_json()).to_json() == entry.to_json()

    events = Events()
    others = [RemoteKeySet(server.url, cache=cache, on_event=events) for _ in range(5)]
    for remote in others:
        assert remote.verify(token).payload["sub"] == "u1"
    assert server.requests == 1, "the other key sets adopted the cached entry"
    assert len(events.of("jwks.cache_loaded")) == 5
    assert not events.of("jwks.fetched")


def test_redis_cache_twenty_threads_one_fetch(
    issuer: authjwt.Issuer, server: CountingJwksServer, redis_client: "redis.Redis"
) -> None:
    token = issuer.sign({"sub": "u1"})
    remotes = [RemoteKeySet(server.url, cache=RedisJwksCache(redis_client, key="authjwt:jwks:test")) for _ in range(20)]
    barrier = threading.Barrier(len(remotes))
    failures: List[BaseException] = []

    def verify(remote: RemoteKeySet) -> None:
        barrier.wait()
        try:
            remote.verify(token)
        except BaseException as e:  # collected, the assertion below names it
            failures.append(e)

    threads = [threading.Thread(target=verify, args=(r,)) for r in remotes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert server.requests == 1, "one claimed fetch; the others waited for its entry"
    stored = redis_client.get("authjwt:jwks:test")
    assert stored is not None
    entry = json.loads(stored)
    assert entry["url"] == server.url and entry["etag"] == '"v1"'
    assert redis_client.get("authjwt:jwks:test:claim") is None, "the claim was released"


@pytest.mark.asyncio
async def test_async_redis_cache_gather_one_fetch(
    issuer: authjwt.Issuer, server: CountingJwksServer, redis_client: "redis.Redis", redis_url: str
) -> None:
    token = issuer.sign({"sub": "u1"})
    client: "redis.asyncio.Redis" = redis.asyncio.Redis.from_url(redis_url)
    try:
        remotes = [AsyncRemoteKeySet(server.url, cache=AsyncRedisJwksCache(client)) for _ in range(10)]
        results = await asyncio.gather(*(r.verify(token) for r in remotes))
        assert all(r.payload["sub"] == "u1" for r in results)
        assert server.requests == 1
        assert await client.get("authjwt:jwks") is not None
    finally:
        await client.aclose()


def test_redis_claim_is_atomic_and_released_only_by_its_holder(redis_client: "redis.Redis") -> None:
    a = RedisJwksCache(redis_client, key="authjwt:jwks:claims")
    b = RedisJwksCache(redis_client, key="authjwt:jwks:claims")
    assert a.claim(5.0) is True
    assert b.claim(5.0) is False
    b.release()  # not the holder: the claim stays
    assert redis_client.get("authjwt:jwks:claims:claim") is not None
    a.release()
    assert redis_client.get("authjwt:jwks:claims:claim") is None
    assert b.claim(0.05) is True
    time.sleep(0.2)
    assert a.claim(5.0) is True, "a claim ends by itself after its ttl"


class FailingCache:
    def load(self) -> Optional[str]:
        raise ConnectionError("redis://:hunter2@cache.internal:6379 refused")

    def save(self, entry: JwksCacheEntry) -> None:
        raise ConnectionError("redis://:hunter2@cache.internal:6379 refused")


def test_a_failing_cache_never_fails_verification(issuer: authjwt.Issuer, server: CountingJwksServer) -> None:
    events = Events()
    remote = RemoteKeySet(server.url, cache=FailingCache(), on_event=events)
    assert remote.verify(issuer.sign({"sub": "u1"})).payload["sub"] == "u1"
    assert server.requests == 1
    failed = events.of("jwks.cache_failed")
    assert {e["operation"] for e in failed} >= {"load", "save"}
    assert "hunter2" not in json.dumps(events.seen, default=str)


class FixedCache:
    def __init__(self, stored: Union[str, None]) -> None:
        self.stored = stored

    def load(self) -> Union[str, None]:
        return self.stored

    def save(self, entry: JwksCacheEntry) -> None:
        self.stored = entry.to_json()


def test_a_bad_entry_is_rejected_and_the_set_fetched(issuer: authjwt.Issuer, server: CountingJwksServer) -> None:
    token = issuer.sign({"sub": "u1"})
    now_ms = int(time.time() * 1000)
    # A fresh entry for this URL whose body is not a JWKS: validated like a fetched body.
    tampered = {"url": server.url, "body": json.dumps({"not": "a jwks"}), "etag": None, "lastModified": None, "fetchedAt": now_ms, "lifetime": 60_000}
    for stored in (json.dumps(tampered), "not json", json.dumps({"url": server.url})):
        events = Events()
        cache = FixedCache(stored)
        remote = RemoteKeySet(server.url, cache=cache, on_event=events)
        assert remote.verify(token).payload["sub"] == "u1"
        assert events.of("jwks.cache_rejected"), stored
    assert server.requests == 3


class AsyncOnlyCache:
    async def load(self) -> Optional[str]:
        return None

    async def save(self, entry: JwksCacheEntry) -> None:
        return None


def test_async_methods_under_the_sync_class_are_reported_not_fatal(
    issuer: authjwt.Issuer, server: CountingJwksServer
) -> None:
    events = Events()
    remote = RemoteKeySet(server.url, cache=AsyncOnlyCache(), on_event=events)  # type: ignore[arg-type]
    assert remote.verify(issuer.sign({})).payload["iss"] == "https://auth.example.com"
    assert {e["operation"] for e in events.of("jwks.cache_failed")} >= {"load"}


def test_a_cache_without_load_is_a_type_error(server: CountingJwksServer) -> None:
    with pytest.raises(TypeError, match="load"):
        RemoteKeySet(server.url, cache=object())  # type: ignore[arg-type]
