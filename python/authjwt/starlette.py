"""Starlette: an ``AuthenticationBackend`` for ``AuthenticationMiddleware``
(``pip install authjwt[starlette]``).

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.authentication import AuthenticationMiddleware
    from authjwt.starlette import JwtBackend, on_auth_error

    backend = JwtBackend(jwks_url="https://auth.example.com/api/auth/jwks", audience="api")
    app = Starlette(routes=..., middleware=[
        Middleware(AuthenticationMiddleware, backend=backend, on_error=on_auth_error),
    ])

``request.user`` is a :class:`JwtUser` (``identity`` = ``sub``, ``claims``), and ``request.auth``
is an ``AuthCredentials`` with the token's scopes, so Starlette's own ``@requires("scope")``
works. :func:`on_auth_error` answers the RFC 6750 status and ``WWW-Authenticate`` header instead
of Starlette's default 400.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Tuple

from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, PlainTextResponse, Response

from ._guard import AuthFailed, Claims, JwtGuard, granted_scopes

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._guard import GuardOptions

__all__ = ["JwtAuthenticationError", "JwtBackend", "JwtUser", "on_auth_error"]


class JwtUser(BaseUser):
    """The user of a request with a valid token: its ``sub`` and all its claims."""

    def __init__(self, claims: Claims) -> None:
        self.claims = claims

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.identity

    @property
    def identity(self) -> str:
        sub = self.claims.get("sub")
        return sub if isinstance(sub, str) else ""


class JwtAuthenticationError(AuthenticationError):
    """An authentication failure carrying the RFC 6750 answer (``failure``)."""

    def __init__(self, failure: AuthFailed) -> None:
        super().__init__(str(failure))
        self.failure = failure


class JwtBackend(AuthenticationBackend):
    """Verifies the bearer JWT of each request. Options as :class:`authjwt.fastapi.JwtBearer`
    (``key_set`` a :class:`KeySet`, :class:`AsyncRemoteKeySet` or :class:`AsyncIssuer`);
    with ``optional=True`` a request without a token is anonymous (Starlette's
    ``UnauthenticatedUser``)."""

    def __init__(self, **options: Unpack[GuardOptions]) -> None:
        self.guard = JwtGuard(asynchronous=True, **options)

    async def authenticate(self, conn: HTTPConnection) -> Optional[Tuple[AuthCredentials, BaseUser]]:
        try:
            claims = await self.guard.authenticate_async(conn.headers.get("authorization"))
        except AuthFailed as failure:
            raise JwtAuthenticationError(failure) from None
        if claims is None:
            return None
        return AuthCredentials(["authenticated", *granted_scopes(claims)]), JwtUser(claims)


def on_auth_error(conn: HTTPConnection, exc: AuthenticationError) -> Response:
    """``AuthenticationMiddleware(on_error=...)``: the RFC 6750 answer, with a JSON body repeating
    ``error`` and ``error_description``."""
    if isinstance(exc, JwtAuthenticationError):
        failure = exc.failure
        return JSONResponse(failure.body(), status_code=failure.status, headers=failure.headers)
    # Another backend's error: Starlette's own default answer.
    return PlainTextResponse(str(exc), status_code=400)
