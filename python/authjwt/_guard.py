"""The request check every framework integration shares: read the ``Authorization`` header, verify
the bearer token with the process-wide key set, check the required scopes, and turn any failure
into the core's RFC 6750 §3 challenge (status and ``WWW-Authenticate``). The integrations only
translate this to their framework's idiom; no status or header rule lives here either.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

# The public names (not ._native's): the asyncio classes are the package's coroutine wrappers.
from . import (
    AsyncIssuer,
    AsyncRemoteKeySet,
    Challenge,
    Issuer,
    KeySet,
    RemoteKeySet,
    VerifiedJwt,
    auth_challenge,
    extract_bearer_token,
    missing_scopes,
    verify_jwt,
)
from .errors import AuthJwtError

__all__ = ["AuthFailed", "Claims", "JwtGuard", "KeySource", "shared_remote_key_set", "shared_async_remote_key_set"]

#: The verified claims of a request's token.
Claims = Dict[str, Any]

#: What verifies tokens: a local or remote key set, or an issuer (its own published keys).
KeySource = Union[KeySet, RemoteKeySet, AsyncRemoteKeySet, Issuer, AsyncIssuer]

_Seconds = Union[int, float]

if TYPE_CHECKING:
    from typing import TypedDict

    class GuardOptions(TypedDict, total=False):
        """The options of :class:`JwtGuard` (and so of every integration), written once."""

        jwks_url: Optional[str]
        issuer_url: Optional[str]
        key_set: Optional[KeySource]
        issuer: Optional[Union[str, Sequence[str]]]
        audience: Optional[Union[str, Sequence[str]]]
        algorithms: Optional[Sequence[str]]
        required_scopes: Sequence[str]
        realm: Optional[str]
        optional: bool
        resource_metadata: Optional[str]
        leeway: Optional[_Seconds]
        max_token_age: Optional[Union[_Seconds, str]]
        required_claims: Optional[Sequence[str]]
        typ: Optional[str]
        subject: Optional[str]
        require_exp: Optional[bool]

# One remote key set per URL per process, whichever routes, guards or frameworks ask for it.
_registry: Dict[Tuple[str, bool], Union[RemoteKeySet, AsyncRemoteKeySet]] = {}
_registry_lock = threading.Lock()

if hasattr(os, "register_at_fork"):
    # A forked worker (gunicorn, multiprocessing) builds its own key sets instead of inheriting
    # the parent's caches and threads.
    os.register_at_fork(after_in_child=_registry.clear)


def shared_remote_key_set(url: str) -> RemoteKeySet:
    """The process-wide :class:`RemoteKeySet` of ``url``, made on first use."""
    found = _shared(url, asynchronous=False)
    assert isinstance(found, RemoteKeySet)
    return found


def shared_async_remote_key_set(url: str) -> AsyncRemoteKeySet:
    """The process-wide :class:`AsyncRemoteKeySet` of ``url``, made on first use."""
    found = _shared(url, asynchronous=True)
    assert isinstance(found, AsyncRemoteKeySet)
    return found


# One discovered key set per issuer URL per process (the URL as given: the metadata's ``issuer``
# must equal it exactly). A failed discovery is not kept: the next request tries again.
_discovered: Dict[Tuple[str, bool], Union[RemoteKeySet, AsyncRemoteKeySet]] = {}

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_discovered.clear)


def _shared_discovered(issuer_url: str) -> RemoteKeySet:
    key = (issuer_url, False)
    found = _discovered.get(key)
    if found is None:
        with _registry_lock:
            found = _discovered.get(key)
            if found is None:
                found = RemoteKeySet.discover(issuer_url)
                _discovered[key] = found
    assert isinstance(found, RemoteKeySet)
    return found


async def _shared_discovered_async(issuer_url: str) -> AsyncRemoteKeySet:
    key = (issuer_url, True)
    found = _discovered.get(key)
    if found is None:
        # Requests racing on a cold issuer may each discover; the first result is kept and shared.
        found = _discovered.setdefault(key, await AsyncRemoteKeySet.discover(issuer_url))
    assert isinstance(found, AsyncRemoteKeySet)
    return found


def _shared(url: str, *, asynchronous: bool) -> Union[RemoteKeySet, AsyncRemoteKeySet]:
    key = (url, asynchronous)
    found = _registry.get(key)
    if found is None:
        with _registry_lock:
            found = _registry.get(key)
            if found is None:
                found = AsyncRemoteKeySet(url) if asynchronous else RemoteKeySet(url)
                _registry[key] = found
    return found


class AuthFailed(Exception):
    """A request the guard refuses; ``challenge`` is the core's answer (``status``, ``error``,
    ``error_description``, ``www_authenticate``)."""

    def __init__(self, challenge: Challenge) -> None:
        super().__init__(challenge.error_description or "no bearer token")
        self.challenge = challenge

    @property
    def status(self) -> int:
        return self.challenge.status

    @property
    def error(self) -> Optional[str]:
        return self.challenge.error

    @property
    def error_description(self) -> Optional[str]:
        return self.challenge.error_description

    @property
    def headers(self) -> Dict[str, str]:
        """The response headers: ``WWW-Authenticate`` on 4xx answers."""
        value = self.challenge.www_authenticate
        return {} if value is None else {"WWW-Authenticate": value}

    def body(self) -> Dict[str, str]:
        """A JSON body that repeats the challenge (RFC 6749 §5.2's member names)."""
        body: Dict[str, str] = {}
        if self.error is not None:
            body["error"] = self.error
        if self.error_description is not None:
            body["error_description"] = self.error_description
        return body


class JwtGuard:
    """Checks one request's ``Authorization`` header; shared by every route of an integration.

    Give ``jwks_url`` (the process-wide key set of that URL is used), ``issuer_url`` (the key set
    its OIDC / RFC 8414 metadata names, discovered once per process on the first request;
    ``issuer`` then defaults to ``issuer_url``) or ``key_set`` (a
    :class:`KeySet`, :class:`RemoteKeySet` / :class:`AsyncRemoteKeySet`, or an :class:`Issuer` /
    :class:`AsyncIssuer` verifying its own tokens). ``issuer``, ``audience``, ``algorithms``,
    ``leeway``, ``max_token_age``, ``required_claims``, ``typ``, ``subject`` and ``require_exp``
    are :func:`authjwt.verify_jwt`'s options. ``required_scopes`` apply to every request (routes
    may add theirs); ``optional`` lets requests without an ``Authorization`` header through as
    anonymous (a present but bad token is still refused); ``realm`` and ``resource_metadata``
    (RFC 9728) go into the ``WWW-Authenticate`` challenge.
    """

    def __init__(
        self,
        *,
        asynchronous: bool,
        jwks_url: Optional[str] = None,
        issuer_url: Optional[str] = None,
        key_set: Optional[KeySource] = None,
        issuer: Optional[Union[str, Sequence[str]]] = None,
        audience: Optional[Union[str, Sequence[str]]] = None,
        algorithms: Optional[Sequence[str]] = None,
        required_scopes: Sequence[str] = (),
        realm: Optional[str] = None,
        optional: bool = False,
        resource_metadata: Optional[str] = None,
        leeway: Optional[_Seconds] = None,
        max_token_age: Optional[Union[_Seconds, str]] = None,
        required_claims: Optional[Sequence[str]] = None,
        typ: Optional[str] = None,
        subject: Optional[str] = None,
        require_exp: Optional[bool] = None,
    ) -> None:
        if sum(given is not None for given in (jwks_url, issuer_url, key_set)) != 1:
            raise TypeError("give exactly one of jwks_url=, issuer_url= or key_set=")
        if issuer_url is not None and issuer is None:
            issuer = issuer_url
        if isinstance(required_scopes, str):
            raise TypeError("required_scopes is a list of scope names, not one string")
        if key_set is not None:
            _check_key_source(key_set, asynchronous=asynchronous)
        self.asynchronous = asynchronous
        self.jwks_url = jwks_url
        self.issuer_url = issuer_url
        self._key_set = key_set
        self.required_scopes: Tuple[str, ...] = tuple(required_scopes)
        self.realm = realm
        self.optional = optional
        self.resource_metadata = resource_metadata
        given = {
            "issuer": issuer,
            "audience": audience,
            "algorithms": algorithms,
            "leeway": leeway,
            "max_token_age": max_token_age,
            "required_claims": required_claims,
            "typ": typ,
            "subject": subject,
            "require_exp": require_exp,
        }
        self.verify_options: Dict[str, Any] = {name: value for name, value in given.items() if value is not None}

    @property
    def key_set(self) -> KeySource:
        """The key set tokens are verified with (the shared one of ``jwks_url``)."""
        if self._key_set is not None:
            return self._key_set
        if self.issuer_url is not None:
            if self.asynchronous:
                raise TypeError("the asyncio integration discovers its key set in authenticate_async")
            return _shared_discovered(self.issuer_url)
        assert self.jwks_url is not None
        return _shared(self.jwks_url, asynchronous=self.asynchronous)

    def token_of(self, authorization: Optional[str], optional: Optional[bool] = None) -> Optional[str]:
        """The bearer token of the header value; None when there is none and anonymous is allowed
        (``optional``, the guard's own unless a route overrides it)."""
        if not authorization:
            if self.optional if optional is None else optional:
                return None
            raise self.failure("missing_token")
        token = extract_bearer_token(authorization)
        if token is None:
            raise self.failure("invalid_request")
        return token

    def authenticate(
        self, authorization: Optional[str], scopes: Iterable[str] = (), *, optional: Optional[bool] = None
    ) -> Optional[Claims]:
        """The verified claims, None for an anonymous request (``optional``); raises :class:`AuthFailed`."""
        token = self.token_of(authorization, optional)
        if token is None:
            return None
        try:
            key_set = self.key_set
            if isinstance(key_set, Issuer):
                verified = key_set.verify(token, **self.verify_options)
            elif isinstance(key_set, (KeySet, RemoteKeySet)):
                verified = verify_jwt(token, key_set, **self.verify_options)
            else:
                raise TypeError(f"{type(key_set).__name__} needs the asyncio integration")
        except AuthJwtError as error:
            raise self.failure(error.code, claim=error.claim) from None
        return self.claims_with_scopes(verified, scopes)

    async def authenticate_async(
        self, authorization: Optional[str], scopes: Iterable[str] = (), *, optional: Optional[bool] = None
    ) -> Optional[Claims]:
        """:meth:`authenticate` for asyncio: remote fetches never block the event loop."""
        token = self.token_of(authorization, optional)
        if token is None:
            return None
        try:
            key_set: KeySource
            if self.issuer_url is not None:
                key_set = await _shared_discovered_async(self.issuer_url)
            else:
                key_set = self.key_set
            if isinstance(key_set, (AsyncRemoteKeySet, AsyncIssuer)):
                verified = await key_set.verify(token, **self.verify_options)
            elif isinstance(key_set, KeySet):
                verified = verify_jwt(token, key_set, **self.verify_options)  # CPU only: microseconds
            else:
                raise TypeError(f"{type(key_set).__name__} would block the event loop")
        except AuthJwtError as error:
            raise self.failure(error.code, claim=error.claim) from None
        return self.claims_with_scopes(verified, scopes)

    def claims_with_scopes(self, verified: VerifiedJwt, scopes: Iterable[str] = ()) -> Claims:
        """The claims, once they grant the guard's and the route's scopes."""
        claims = verified.payload
        self.check_scopes(claims, self.scopes_for(scopes))
        return claims

    def check_scopes(self, claims: Claims, required: Sequence[str]) -> None:
        """Raises the 403 ``insufficient_scope`` refusal unless the claims grant every scope."""
        if required and missing_scopes(claims, required):
            raise self.failure("insufficient_scope", scope=" ".join(required))

    def scopes_for(self, scopes: Iterable[str]) -> List[str]:
        """The guard's scopes, then the route's, each once."""
        return list(dict.fromkeys([*self.required_scopes, *scopes]))

    def failure(self, kind: str, *, claim: Optional[str] = None, scope: Optional[str] = None) -> AuthFailed:
        """The refusal for ``kind`` (an error code, ``missing_token``, ``invalid_request`` or
        ``insufficient_scope``), as the core answers it."""
        return AuthFailed(
            auth_challenge(kind, realm=self.realm, scope=scope, resource_metadata=self.resource_metadata, claim=claim)
        )


def granted_scopes(claims: Claims) -> List[str]:
    """The scopes the claims grant, as the core reads them (``scope`` string or ``scp`` array)."""
    candidates: List[str] = []
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            candidates.extend(value.split(" "))
        elif isinstance(value, list):
            candidates.extend(item for item in value if isinstance(item, str))
    candidates = [c for c in dict.fromkeys(candidates) if c]
    refused = set(missing_scopes(claims, candidates))
    return [c for c in candidates if c not in refused]


def _check_key_source(key_set: object, *, asynchronous: bool) -> None:
    fits = (KeySet, AsyncRemoteKeySet, AsyncIssuer) if asynchronous else (KeySet, RemoteKeySet, Issuer)
    if not isinstance(key_set, fits):
        wanted = "KeySet, AsyncRemoteKeySet or AsyncIssuer" if asynchronous else "KeySet, RemoteKeySet or Issuer"
        raise TypeError(f"key_set must be a {wanted}, not {type(key_set).__name__}")
