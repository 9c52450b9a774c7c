"""Typing protocols of the host-supplied objects (stores, hooks, event callbacks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, List, Protocol, TypedDict, Union, runtime_checkable

if TYPE_CHECKING:
    from ._native import JwkRow

__all__ = ["KeyStore", "AsyncKeyStore", "JsonDict", "EventCallback", "ExternalSigner"]

#: A JSON object as Python sees it.
JsonDict = Dict[str, Any]

#: ``on_event`` receives ``{"type": "key.created", "kid": ..., "alg": ...}`` and the like.
EventCallback = Callable[[Dict[str, Any]], object]


@runtime_checkable
class KeyStore(Protocol):
    """The storage contract of :class:`authjwt.Issuer` (Better Auth's ``getJwks``/``createJwk``).

    Rows may be :class:`authjwt.JwkRow` objects or mappings with Better Auth's camelCase columns.
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


class ExternalSigner(TypedDict):
    """``external_signer=``: sign with a KMS instead of stored keys (Better Auth's ``jwt.sign`` with
    ``jwks.remoteUrl``; give ``remote_url`` too). ``sign`` receives the JWS signing input and returns
    the signature (ECDSA in the JOSE ``r || s`` form); ``async def`` under ``AsyncIssuer``."""

    sign: Callable[[bytes], Union[bytes, Awaitable[bytes]]]
    alg: str
    kid: str
