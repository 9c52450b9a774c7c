# Type stubs of the compiled module authjwt._native, kept by hand and checked by
# `mypy --strict` on tests/typed_sample.py (the generated stubs are incomplete).

from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Sequence, Union, final

from typing_extensions import Self, disjoint_base

from ._types import AsyncJwksCache, AsyncKeyStore, EventCallback, ExternalSigner, JwksCache, JwkUpdate, KeyStore

__all__ = [
    "AsyncIssuer",
    "AsyncRemoteKeySet",
    "Challenge",
    "Issuer",
    "JwkRow",
    "JwksCacheEntry",
    "KeySet",
    "ManualClock",
    "MemoryStore",
    "RemoteKeySet",
    "VerifiedJwt",
    "__version__",
    "_after_fork_in_child",
    "_shutdown_at_exit",
    "auth_challenge",
    "decode_header",
    "decode_jwt",
    "extract_bearer_token",
    "if_none_match",
    "jwks_etag",
    "missing_scopes",
    "verify_jwt",
]

__version__: str

_Seconds = Union[int, float, timedelta]
#: A span string ("15m", "2 hours", "1d"), a NumericDate (absolute), an aware datetime, or a timedelta.
_ExpirationTime = Union[str, int, float, datetime, timedelta]
#: One secret, several (newest first), or Better Auth's versioned secrets {version: secret}
#: (the highest numeric version is current, whatever the dict order).
_Secret = Union[str, Sequence[str], Mapping[str, str]]
_Audience = Union[str, Sequence[str]]
_Json = Any

@final
class JwkRow:
    """One row of Better Auth's ``jwks`` table.

    Columns: ``id`` = ``id``, ``public_key`` = ``publicKey``, ``private_key`` = ``privateKey``,
    ``created_at`` = ``createdAt``, ``expires_at`` = ``expiresAt``, ``alg``, ``crv``.
    Datetimes are aware (UTC when read back).
    """

    def __new__(
        cls,
        *,
        id: str,
        public_key: str,
        private_key: str,
        created_at: datetime,
        expires_at: Optional[datetime] = None,
        alg: Optional[str] = None,
        crv: Optional[str] = None,
    ) -> "JwkRow": ...
    @property
    def id(self) -> str: ...
    @property
    def public_key(self) -> str: ...
    @property
    def private_key(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def expires_at(self) -> Optional[datetime]: ...
    @property
    def alg(self) -> Optional[str]: ...
    @property
    def crv(self) -> Optional[str]: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> JwkRow:
        """From Better Auth's camelCase columns (or snake_case keys)."""
    def to_dict(self) -> Dict[str, Any]:
        """To Better Auth's camelCase columns."""
    def replace(
        self,
        *,
        id: str = ...,
        public_key: str = ...,
        private_key: str = ...,
        created_at: datetime = ...,
        expires_at: Optional[datetime] = ...,
        alg: Optional[str] = ...,
        crv: Optional[str] = ...,
    ) -> JwkRow: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class MemoryStore:
    """Rows in process memory (the default store)."""

    def __new__(cls, rows: Optional[Sequence[Union[JwkRow, Mapping[str, Any]]]] = None) -> "MemoryStore": ...
    def get_jwks(self) -> List[JwkRow]: ...
    def create_jwk(self, row: JwkRow) -> JwkRow: ...
    def update_jwk(self, id: str, update: JwkUpdate) -> None: ...
    def __len__(self) -> int: ...

@final
class ManualClock:
    """A clock that moves only when told to (tests, simulations)."""

    def __new__(cls, now: Union[datetime, int, float, None] = None) -> "ManualClock": ...
    def advance(self, seconds: _Seconds) -> None: ...
    def set(self, now: Union[datetime, int, float]) -> None: ...
    def now(self) -> datetime: ...
    def timestamp(self) -> float: ...

_Clock = Union[ManualClock, Callable[[], Union[int, float, datetime]]]

@final
class VerifiedJwt:
    """A verified token."""

    @property
    def payload(self) -> Dict[str, Any]: ...
    @property
    def header(self) -> Dict[str, Any]: ...
    @property
    def protected_header(self) -> Dict[str, Any]: ...

@final
class Issuer:
    """Issues, publishes and verifies tokens with a synchronous store."""

    def __new__(
        cls,
        *,
        store: Optional[Union[KeyStore, MemoryStore]] = None,
        secret: Optional[_Secret] = None,
        key_pair_config: Optional[Dict[str, Any]] = None,
        key_pair_configs: Optional[Sequence[Mapping[str, Any]]] = None,
        issuer: Optional[str] = None,
        audience: Optional[_Audience] = None,
        expiration_time: Optional[_ExpirationTime] = None,
        rotation_interval: Optional[_Seconds] = None,
        rotation_lead: Optional[_Seconds] = None,
        grace_period: Optional[_Seconds] = None,
        key_cache_ttl: Optional[_Seconds] = None,
        disable_private_key_encryption: bool = False,
        allow_weak_secret: bool = False,
        private_key_format: str = "authjwt-v2",
        store_timeout: Optional[_Seconds] = None,
        define_payload: Optional[Callable[[Dict[str, Any], Dict[str, Any]], Optional[Dict[str, Any]]]] = None,
        get_subject: Optional[Callable[[Dict[str, Any], Dict[str, Any]], Optional[str]]] = None,
        on_event: Optional[EventCallback] = None,
        clock: Optional[_Clock] = None,
        external_signer: Optional[ExternalSigner] = None,
        remote_url: Optional[str] = None,
    ) -> "Issuer": ...
    @property
    def remote_url(self) -> Optional[str]: ...
    def sign(
        self,
        payload: Dict[str, _Json],
        *,
        expiration_time: Optional[_ExpirationTime] = None,
        issuer: Optional[str] = None,
        audience: Optional[_Audience] = None,
        subject: Optional[str] = None,
        typ: Optional[str] = None,
        signing_key_id: Optional[str] = None,
        signing_algorithm: Optional[str] = None,
    ) -> str: ...
    def sign_session(
        self,
        user: Dict[str, _Json],
        session: Dict[str, _Json],
        *,
        expiration_time: Optional[_ExpirationTime] = None,
        issuer: Optional[str] = None,
        audience: Optional[_Audience] = None,
        subject: Optional[str] = None,
        typ: Optional[str] = None,
    ) -> str: ...
    def jwks(self) -> Dict[str, Any]: ...
    def rotate(self, *, staged: bool = False) -> JwkRow: ...
    def revoke(self, kid: str) -> None: ...
    def prepare_next_key(self) -> Optional[JwkRow]: ...
    def jwks_cache_control(self) -> str: ...
    def verify(
        self,
        token: str,
        *,
        issuer: Optional[_Audience] = None,
        audience: Optional[_Audience] = None,
        algorithms: Optional[Sequence[str]] = None,
        leeway: Optional[_Seconds] = None,
        max_token_age: Optional[Union[_Seconds, str]] = None,
        required_claims: Optional[Sequence[str]] = None,
        typ: Optional[str] = None,
        subject: Optional[str] = None,
        now: Optional[Union[datetime, int, float]] = None,
        require_exp: Optional[bool] = None,
    ) -> VerifiedJwt: ...

# Subclassed by authjwt._async.AsyncIssuer (the public class), whose methods are coroutines.
@disjoint_base
class AsyncIssuer:
    """:class:`Issuer` for asyncio: ``async def`` store and hooks, awaitable methods."""

    def __new__(
        cls,
        *,
        store: Optional[Union[AsyncKeyStore, KeyStore, MemoryStore]] = None,
        secret: Optional[_Secret] = None,
        key_pair_config: Optional[Dict[str, Any]] = None,
        key_pair_configs: Optional[Sequence[Mapping[str, Any]]] = None,
        issuer: Optional[str] = None,
        audience: Optional[_Audience] = None,
        expiration_time: Optional[_ExpirationTime] = None,
        rotation_interval: Optional[_Seconds] = None,
        rotation_lead: Optional[_Seconds] = None,
        grace_period: Optional[_Seconds] = None,
        key_cache_ttl: Optional[_Seconds] = None,
        disable_private_key_encryption: bool = False,
        allow_weak_secret: bool = False,
        private_key_format: str = "authjwt-v2",
        store_timeout: Optional[_Seconds] = None,
        define_payload: Optional[
            Callable[[Dict[str, Any], Dict[str, Any]], Union[Optional[Dict[str, Any]], Awaitable[Optional[Dict[str, Any]]]]]
        ] = None,
        get_subject: Optional[
            Callable[[Dict[str, Any], Dict[str, Any]], Union[Optional[str], Awaitable[Optional[str]]]]
        ] = None,
        on_event: Optional[EventCallback] = None,
        clock: Optional[_Clock] = None,
        external_signer: Optional[ExternalSigner] = None,
        remote_url: Optional[str] = None,
    ) -> Self: ...
    @property
    def remote_url(self) -> Optional[str]: ...
    def sign(
        self,
        payload: Dict[str, _Json],
        *,
        expiration_time: Optional[_ExpirationTime] = None,
        issuer: Optional[str] = None,
        audience: Optional[_Audience] = None,
        subject: Optional[str] = None,
        typ: Optional[str] = None,
        signing_key_id: Optional[str] = None,
        signing_algorithm: Optional[str] = None,
    ) -> Awaitable[str]: ...
    def sign_session(
        self,
        user: Dict[str, _Json],
        session: Dict[str, _Json],
        *,
        expiration_time: Optional[_ExpirationTime] = None,
        issuer: Optional[str] = None,
        audience: Optional[_Audience] = None,
        subject: Optional[str] = None,
        typ: Optional[str] = None,
    ) -> Awaitable[str]: ...
    def jwks(self) -> Awaitable[Dict[str, Any]]: ...
    def rotate(self, *, staged: bool = False) -> Awaitable[JwkRow]: ...
    def revoke(self, kid: str) -> Awaitable[None]: ...
    def prepare_next_key(self) -> Awaitable[Optional[JwkRow]]: ...
    def jwks_cache_control(self) -> str: ...
    def verify(
        self,
        token: str,
        *,
        issuer: Optional[_Audience] = None,
        audience: Optional[_Audience] = None,
        algorithms: Optional[Sequence[str]] = None,
        leeway: Optional[_Seconds] = None,
        max_token_age: Optional[Union[_Seconds, str]] = None,
        required_claims: Optional[Sequence[str]] = None,
        typ: Optional[str] = None,
        subject: Optional[str] = None,
        now: Optional[Union[datetime, int, float]] = None,
        require_exp: Optional[bool] = None,
    ) -> Awaitable[VerifiedJwt]: ...

@final
class KeySet:
    """A validated local JWKS. Keys it cannot use (``use`` other than ``sig``, ``key_ops``
    without ``verify``, encryption algorithms, unknown ``kty``/``crv``/``alg``, RSA under 2048
    bits, invalid points, private members) are skipped, each reported once to ``on_event`` as
    ``{"type": "jwks.key_skipped", "index", "kid", "reason", "message"}``; the rest verify."""

    @staticmethod
    def from_jwks(
        jwks: Union[Dict[str, Any], str],
        *,
        on_event: Optional[Callable[[Dict[str, Any]], None]] = None,
    ) -> KeySet: ...
    @property
    def kids(self) -> List[str]: ...
    @property
    def algorithms(self) -> List[str]: ...
    def __len__(self) -> int: ...

@final
class JwksCacheEntry:
    """One fetched JWKS as a shared cache (``cache=``) keeps it: store ``to_json()`` (the form
    every host reads, so Node and Python instances can share one key)."""

    @staticmethod
    def from_json(text: str) -> "JwksCacheEntry": ...
    def to_json(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def etag(self) -> Optional[str]: ...
    @property
    def last_modified(self) -> Optional[str]: ...
    @property
    def fetched_at(self) -> int:
        """Epoch milliseconds of the answer (200 or 304) that confirmed ``body``."""
    @property
    def lifetime(self) -> int:
        """Milliseconds after ``fetched_at`` the set is fresh."""

@final
class RemoteKeySet:
    """A JWKS fetched from a URL and cached (sync).

    Fresh for the server's ``Cache-Control: max-age`` bounded to ``cache_min_age`` ..
    ``cache_max_age_limit`` (``cache_max_age`` when the server sends none), revalidated with
    ``If-None-Match`` / ``If-Modified-Since``, refreshed in the background shortly before it goes
    stale, and kept verifying for ``stale_if_error`` seconds past that while refreshes fail
    (``on_event`` gets ``jwks.stale``). Durations are seconds or ``timedelta``. ``headers`` are
    sent with every request (values never shown); ``allow_http`` accepts plain http to any host
    (for in-cluster names only); proxies come from ``HTTPS_PROXY`` / ``HTTP_PROXY`` /
    ``NO_PROXY``."""

    def __new__(
        cls,
        url: str,
        *,
        cache_max_age: Optional[_Seconds] = None,
        cache_min_age: Optional[_Seconds] = None,
        cache_max_age_limit: Optional[_Seconds] = None,
        stale_if_error: Optional[_Seconds] = None,
        cooldown: Optional[_Seconds] = None,
        timeout: Optional[_Seconds] = None,
        headers: Optional[Mapping[str, str]] = None,
        allow_http: Optional[bool] = None,
        on_event: Optional[EventCallback] = None,
        cache: Optional[JwksCache] = None,
    ) -> "RemoteKeySet": ...
    @classmethod
    def discover(
        cls,
        issuer_url: str,
        *,
        cache_max_age: Optional[_Seconds] = None,
        cache_min_age: Optional[_Seconds] = None,
        cache_max_age_limit: Optional[_Seconds] = None,
        stale_if_error: Optional[_Seconds] = None,
        cooldown: Optional[_Seconds] = None,
        timeout: Optional[_Seconds] = None,
        headers: Optional[Mapping[str, str]] = None,
        allow_http: Optional[bool] = None,
        on_event: Optional[EventCallback] = None,
        cache: Optional[JwksCache] = None,
    ) -> "RemoteKeySet":
        """The key set named by the issuer's OIDC / RFC 8414 metadata (``jwks_uri``); the
        metadata's ``issuer`` must equal ``issuer_url`` exactly."""
    @property
    def url(self) -> str: ...
    def reload(self) -> int: ...
    def verify(
        self,
        token: str,
        *,
        issuer: Optional[_Audience] = None,
        audience: Optional[_Audience] = None,
        algorithms: Optional[Sequence[str]] = None,
        leeway: Optional[_Seconds] = None,
        max_token_age: Optional[Union[_Seconds, str]] = None,
        required_claims: Optional[Sequence[str]] = None,
        typ: Optional[str] = None,
        subject: Optional[str] = None,
        now: Optional[Union[datetime, int, float]] = None,
        require_exp: Optional[bool] = None,
    ) -> VerifiedJwt: ...

# Subclassed by authjwt._async.AsyncRemoteKeySet (the public class), whose methods are coroutines.
@disjoint_base
class AsyncRemoteKeySet:
    """:class:`RemoteKeySet` for asyncio."""

    def __new__(
        cls,
        url: str,
        *,
        cache_max_age: Optional[_Seconds] = None,
        cache_min_age: Optional[_Seconds] = None,
        cache_max_age_limit: Optional[_Seconds] = None,
        stale_if_error: Optional[_Seconds] = None,
        cooldown: Optional[_Seconds] = None,
        timeout: Optional[_Seconds] = None,
        headers: Optional[Mapping[str, str]] = None,
        allow_http: Optional[bool] = None,
        on_event: Optional[EventCallback] = None,
        cache: Optional[Union[AsyncJwksCache, JwksCache]] = None,
    ) -> Self: ...
    @classmethod
    def discover(
        cls,
        issuer_url: str,
        *,
        cache_max_age: Optional[_Seconds] = None,
        cache_min_age: Optional[_Seconds] = None,
        cache_max_age_limit: Optional[_Seconds] = None,
        stale_if_error: Optional[_Seconds] = None,
        cooldown: Optional[_Seconds] = None,
        timeout: Optional[_Seconds] = None,
        headers: Optional[Mapping[str, str]] = None,
        allow_http: Optional[bool] = None,
        on_event: Optional[EventCallback] = None,
        cache: Optional[Union[AsyncJwksCache, JwksCache]] = None,
    ) -> Awaitable[Self]:
        """Awaitable :meth:`RemoteKeySet.discover`."""
    @property
    def url(self) -> str: ...
    def reload(self) -> Awaitable[int]: ...
    def verify(
        self,
        token: str,
        *,
        issuer: Optional[_Audience] = None,
        audience: Optional[_Audience] = None,
        algorithms: Optional[Sequence[str]] = None,
        leeway: Optional[_Seconds] = None,
        max_token_age: Optional[Union[_Seconds, str]] = None,
        required_claims: Optional[Sequence[str]] = None,
        typ: Optional[str] = None,
        subject: Optional[str] = None,
        now: Optional[Union[datetime, int, float]] = None,
        require_exp: Optional[bool] = None,
    ) -> Awaitable[VerifiedJwt]: ...

def verify_jwt(
    token: str,
    key_set: Union[KeySet, RemoteKeySet],
    *,
    issuer: Optional[_Audience] = None,
    audience: Optional[_Audience] = None,
    algorithms: Optional[Sequence[str]] = None,
    leeway: Optional[_Seconds] = None,
    max_token_age: Optional[Union[_Seconds, str]] = None,
    required_claims: Optional[Sequence[str]] = None,
    typ: Optional[str] = None,
    subject: Optional[str] = None,
    now: Optional[Union[datetime, int, float]] = None,
    require_exp: Optional[bool] = None,
) -> VerifiedJwt:
    """Verifies a compact JWT under the strict policy; raises an AuthJwtError subclass."""

def decode_jwt(token: str) -> Dict[str, Any]:
    """The claims WITHOUT verification. Never base access decisions on it."""

def decode_header(token: str) -> Dict[str, Any]:
    """The protected header WITHOUT verification."""

def _shutdown_at_exit() -> None:
    """The atexit hook: ends authjwt's worker threads before the interpreter finalizes."""

def _after_fork_in_child() -> None:
    """The os.register_at_fork hook: objects made before the fork rebuild their state."""

def extract_bearer_token(authorization: Optional[str]) -> Optional[str]:
    """The token of an ``Authorization: Bearer <token>`` value, or None."""

def jwks_etag(body: str) -> str:
    """The ``ETag`` to serve a JWKS body (the JSON text of ``issuer.jwks()``) under: a strong tag
    over its bytes, the same on every instance serving the same keys."""

def if_none_match(header_value: Optional[str], etag: str) -> bool:
    """Whether a request's ``If-None-Match`` names ``etag`` (weak comparison, or ``*``): then
    answer 304 without a body."""

@final
class Challenge:
    """The HTTP answer to a failed authentication (RFC 6750 section 3), from the core's table."""

    #: 400, 401, 403, 500 or 503.
    status: int
    #: ``invalid_request``, ``invalid_token``, ``insufficient_scope``, ``temporarily_unavailable``
    #: or ``server_error``; None when no credentials were sent.
    error: Optional[str]
    #: What failed, never the token or a claim's value.
    error_description: Optional[str]
    #: The ``WWW-Authenticate`` value, on 4xx answers.
    www_authenticate: Optional[str]

def auth_challenge(
    kind: str,
    *,
    realm: Optional[str] = None,
    scope: Optional[str] = None,
    resource_metadata: Optional[str] = None,
    claim: Optional[str] = None,
) -> Challenge:
    """The answer for ``kind``: an error code (``err.code``), or ``"missing_token"``,
    ``"invalid_request"``, ``"insufficient_scope"``. Missing token 401 with a bare challenge;
    malformed header 400; a bad, expired or mismatched token 401 ``invalid_token``; missing scope
    403; an unreachable key server 503; a store or configuration failure 500."""

def missing_scopes(payload: Mapping[str, Any], required_scopes: Sequence[str]) -> List[str]:
    """The scopes of ``required_scopes`` that ``payload`` (a ``scope`` string or an ``scp`` list)
    does not grant."""
