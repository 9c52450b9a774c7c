"""The asyncio classes, with coroutine methods.

The native methods return ``asyncio.Future`` objects bound to the running loop, which
``asyncio.run`` and ``asyncio.create_task`` refuse (they take coroutines) and which cannot be
created before a loop runs. Each method here is an ``async def``: the native call happens when the
coroutine first runs, on the loop that awaits it. Types: ``_async.pyi``.
"""

from __future__ import annotations

from typing import Any

from . import _native

__all__ = ["AsyncIssuer", "AsyncRemoteKeySet"]

_NativeAsyncIssuer = _native.AsyncIssuer
_NativeAsyncRemoteKeySet = _native.AsyncRemoteKeySet


class AsyncIssuer(_NativeAsyncIssuer):
    """:class:`Issuer` for asyncio: ``async def`` store and hooks, coroutine methods."""

    __slots__ = ()

    async def sign(self, payload: Any, **overrides: Any) -> Any:
        return await _NativeAsyncIssuer.sign(self, payload, **overrides)

    async def sign_session(self, user: Any, session: Any, **overrides: Any) -> Any:
        return await _NativeAsyncIssuer.sign_session(self, user, session, **overrides)

    async def jwks(self) -> Any:
        return await _NativeAsyncIssuer.jwks(self)

    async def rotate(self, *, staged: bool = False) -> Any:
        return await _NativeAsyncIssuer.rotate(self, staged=staged)

    async def revoke(self, kid: str) -> None:
        await _NativeAsyncIssuer.revoke(self, kid)

    async def prepare_next_key(self) -> Any:
        return await _NativeAsyncIssuer.prepare_next_key(self)

    async def verify(self, token: Any, **options: Any) -> Any:
        return await _NativeAsyncIssuer.verify(self, token, **options)


class AsyncRemoteKeySet(_NativeAsyncRemoteKeySet):
    """:class:`RemoteKeySet` for asyncio: coroutine methods; fetches never block the loop."""

    __slots__ = ()

    async def reload(self) -> Any:
        return await _NativeAsyncRemoteKeySet.reload(self)

    async def verify(self, token: Any, **options: Any) -> Any:
        return await _NativeAsyncRemoteKeySet.verify(self, token, **options)


for _cls in (AsyncIssuer, AsyncRemoteKeySet):
    _cls.__module__ = "authjwt"
del _cls
