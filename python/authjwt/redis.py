"""A shared JWKS cache in Redis for ``RemoteKeySet`` / ``AsyncRemoteKeySet`` (``cache=``), so the
workers and instances of a fleet make one fetch per refresh window. Needs the ``redis`` package
(``pip install authjwt[redis]``).

The layout is the one the Node example (``authjwt/redis``) uses, so Node and Python instances can
share one key: ``GET``/``SET <key>`` hold the entry's JSON text (``JwksCacheEntry.to_json()``); the
fetch claim is ``SET <key>:claim <token> NX PX <ttl>``, released only by its holder.

    import redis
    from authjwt import RemoteKeySet
    from authjwt.redis import RedisJwksCache

    keys = RemoteKeySet(url, cache=RedisJwksCache(redis.Redis.from_url(REDIS_URL)))

Whoever can write the key decides which keys verify (as whoever answers the JWKS URL does): use a
Redis that untrusted tenants cannot write. The core validates every entry it loads like a fetched
body; a failing Redis is reported (``jwks.cache_failed``) and the key set fetches for itself.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Optional, Union

from ._native import JwksCacheEntry

if TYPE_CHECKING:
    import redis
    import redis.asyncio

__all__ = ["RedisJwksCache", "AsyncRedisJwksCache", "DEFAULT_KEY"]

DEFAULT_KEY = "authjwt:jwks"

# Deletes the claim only while it still holds this instance's token (it may have expired and been
# taken by another instance since).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


def _text(value: Union[bytes, str, None]) -> Optional[str]:
    if value is None:
        return None
    return value.decode("utf-8") if isinstance(value, bytes) else value


class RedisJwksCache:
    """The cache for the sync ``RemoteKeySet``, over a ``redis.Redis`` client. ``key``: one per
    JWKS URL when several key sets share a Redis (``authjwt:jwks:<name>``)."""

    def __init__(self, client: "redis.Redis", key: str = DEFAULT_KEY) -> None:
        self._client = client
        self._key = key
        self._claim_key = f"{key}:claim"
        self._token: Optional[str] = None

    def load(self) -> Optional[str]:
        return _text(self._client.get(self._key))

    def save(self, entry: JwksCacheEntry) -> None:
        self._client.set(self._key, entry.to_json())

    def claim(self, ttl: float) -> bool:
        token = secrets.token_hex(16)
        taken = bool(self._client.set(self._claim_key, token, nx=True, px=max(1, int(ttl * 1000))))
        if taken:
            self._token = token
        return taken

    def release(self) -> None:
        token, self._token = self._token, None
        if token is not None:
            self._client.eval(_RELEASE, 1, self._claim_key, token)


class AsyncRedisJwksCache:
    """The cache for ``AsyncRemoteKeySet``, over a ``redis.asyncio.Redis`` client (coroutine
    methods, awaited on the caller's loop)."""

    def __init__(self, client: "redis.asyncio.Redis", key: str = DEFAULT_KEY) -> None:
        self._client = client
        self._key = key
        self._claim_key = f"{key}:claim"
        self._token: Optional[str] = None

    async def load(self) -> Optional[str]:
        return _text(await self._client.get(self._key))

    async def save(self, entry: JwksCacheEntry) -> None:
        await self._client.set(self._key, entry.to_json())

    async def claim(self, ttl: float) -> bool:
        token = secrets.token_hex(16)
        taken = bool(await self._client.set(self._claim_key, token, nx=True, px=max(1, int(ttl * 1000))))
        if taken:
            self._token = token
        return taken

    async def release(self) -> None:
        token, self._token = self._token, None
        if token is not None:
            await self._client.eval(_RELEASE, 1, self._claim_key, token)
