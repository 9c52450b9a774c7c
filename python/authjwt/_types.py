"""Typing protocols of the host-supplied objects (stores, hooks, event callbacks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, List, Literal, Protocol, TypedDict, Union, runtime_checkable

if TYPE_CHECKING:
    from datetime import datetime

    from ._native import JwkRow, JwksCacheEntry

__all__ = ["KeyStore", "AsyncKeyStore", "UpdatableKeyStore", "AsyncUpdatableKeyStore", "JwkUpdate", "JwksCache", "AsyncJwksCache", "JsonDict", "EventCallback", "ExternalSigner"]

#: A JSON object as Python sees it.
JsonDict = Dict[str, Any]

#: ``on_event`` receives ``{"type": "key.created", "kid": ..., "alg": ...}`` and the like.
EventCallback = Callable[[Dict[str, Any]], object]


@runtime_checkable
class KeyStore(Protocol):
    """The storage contract of :class:`authjwt.Issuer` (Better Auth's ``getJwks``/``createJwk``).

    Rows may be :class:`authjwt.JwkRow` objects or mappings with Better Auth's camelCase columns.
    The optional third method ``update_jwk(id, update)`` (see :class:`UpdatableKeyStore`) lets
    ``revoke(kid)`` work and records the retirement of a rotated-away key.
    """

    def get_jwks(self) -> "List[JwkRow]":
        """Every stored row (expired ones included)."""
        ...

    def create_jwk(self, row: "JwkRow") -> "JwkRow":
        """Stores ``row`` and returns it as stored (the store may replace ``id``)."""
        ...


@runtime_checkable
class AsyncKeyStore(Protocol):
    """The storage contract of :class:`authjwt.AsyncIssuer`: the same methods, ``async def``."""

    async def get_jwks(self) -> "List[JwkRow]":
        """Every stored row (expired ones included)."""
        ...

    async def create_jwk(self, row: "JwkRow") -> "JwkRow":
        """Stores ``row`` and returns it as stored (the store may replace ``id``)."""
        ...


class JwkUpdate(TypedDict):
    """What ``update_jwk(id, update)`` receives: the row's new ``expires_at`` (Better Auth's
    ``expiresAt`` column), an aware UTC datetime like the rows'. ``revoke`` writes the Unix epoch."""

    expires_at: "datetime"


@runtime_checkable
class UpdatableKeyStore(KeyStore, Protocol):
    """A :class:`KeyStore` with the optional ``update_jwk``: sets the ``expires_at`` of the row
    ``id`` and leaves its other columns as they are (in SQL: ``UPDATE jwks SET "expiresAt" = ...
    WHERE id = ...``). ``Issuer.revoke(kid)`` needs it (``ERR_INVALID_CONFIG`` without it);
    ``rotate()`` uses it to retire the old key, which then leaves the JWKS after ``grace_period``
    (without it the old key stays published and an ``key.retirement_unrecorded`` event says so)."""

    def update_jwk(self, id: str, update: JwkUpdate) -> object:
        """Sets ``update["expires_at"]`` on the row ``id``; the return value is ignored."""
        ...


@runtime_checkable
class AsyncUpdatableKeyStore(AsyncKeyStore, Protocol):
    """:class:`UpdatableKeyStore` for :class:`authjwt.AsyncIssuer`: ``async def update_jwk``."""

    async def update_jwk(self, id: str, update: JwkUpdate) -> object:
        """Sets ``update["expires_at"]`` on the row ``id``; the return value is ignored."""
        ...


@runtime_checkable
class JwksCache(Protocol):
    """``cache=`` of :class:`authjwt.RemoteKeySet`: storage shared by a fleet's key sets so they
    make one fetch per refresh window (:class:`authjwt.redis.RedisJwksCache` is one). ``load``
    returns what ``save`` stored (the entry, or its ``to_json()`` text) or None. Optional methods:
    ``claim(ttl: float) -> bool`` (atomically take the right to fetch for ``ttl`` seconds; True
    when taken; it must end by itself) and ``release() -> None`` (give the claim back). Whatever
    ``load`` returns is validated like a fetched body; a method that raises is reported as
    ``jwks.cache_failed`` and the key set fetches for itself."""

    def load(self) -> "Union[JwksCacheEntry, str, None]": ...

    def save(self, entry: "JwksCacheEntry") -> object: ...


@runtime_checkable
class AsyncJwksCache(Protocol):
    """``cache=`` of :class:`authjwt.AsyncRemoteKeySet`: :class:`JwksCache` with ``async def``
    methods (``claim``/``release`` optional, ``async def`` too); sync methods are accepted as well."""

    async def load(self) -> "Union[JwksCacheEntry, str, None]": ...

    async def save(self, entry: "JwksCacheEntry") -> object: ...


class _ExternalSignerRequired(TypedDict):
    sign: Callable[..., Union[bytes, Awaitable[bytes]]]
    alg: str


class ExternalSigner(_ExternalSignerRequired, total=False):
    """``external_signer=``: sign with a KMS instead of stored keys (Better Auth's ``jwt.sign`` with
    ``jwks.remoteUrl``; give ``remote_url`` too). ``sign(message)`` receives the JWS signing input
    (or, with ``message_type="digest"``, its SHA-256/384/512) and returns the signature: JOSE form,
    or DER for ECDSA, as AWS and Google Cloud KMS return it; ``async def`` under ``AsyncIssuer``.
    ``kid`` is a string, or a callable returning the current key version's kid (then ``sign`` is
    called as ``sign(message, kid)``). Every token is verified against ``public_key`` or the key of
    its kid at ``remote_url`` before it is returned, unless ``verify_before_return`` is False."""

    kid: Union[str, Callable[[], Union[str, Awaitable[str]]]]
    message_type: Literal["raw", "digest"]
    verify_before_return: bool
    public_key: Dict[str, Any]
