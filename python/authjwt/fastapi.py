"""FastAPI: protect a route with a dependency (``pip install authjwt[fastapi]``).

    from fastapi import Depends, FastAPI, Security
    from authjwt.fastapi import Claims, JwtBearer

    require_jwt = JwtBearer(jwks_url="https://auth.example.com/api/auth/jwks", audience="api")
    app = FastAPI()

    @app.get("/api/me")
    async def me(claims: Claims = Depends(require_jwt)) -> dict[str, object]:
        return {"sub": claims["sub"]}

    @app.delete("/api/items/{item}")
    async def delete(item: str, claims: Claims = Security(require_jwt, scopes=["items:write"])) -> None: ...

Failures are ``HTTPException``s with the RFC 6750 status and ``WWW-Authenticate`` header (a missing
header is 401, never 403; an unreachable JWKS is 503), so your own exception handlers still see
them. ``JwtBearer`` is an OpenAPI HTTP bearer scheme: ``/docs`` shows the lock and the Authorize
button. Tokens are verified with the asyncio key set, one per JWKS URL per process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from fastapi import HTTPException
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security import SecurityScopes
from fastapi.security.base import SecurityBase
from starlette.requests import HTTPConnection

from ._guard import AuthFailed, Claims, JwtGuard

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._guard import GuardOptions

__all__ = ["Claims", "JwtBearer"]


class JwtBearer(SecurityBase):
    """A FastAPI security dependency that returns the verified claims of the request's bearer JWT.

    Options are :class:`authjwt.verify_jwt`'s plus ``jwks_url``, ``issuer_url`` (discovery) or ``key_set`` (a :class:`KeySet`,
    :class:`AsyncRemoteKeySet` or :class:`AsyncIssuer`), ``required_scopes`` (each route may add
    more with ``Security(require_jwt, scopes=[...])``), ``realm``, ``resource_metadata`` (RFC 9728)
    and ``optional`` (requests without a token get ``None``). ``scheme_name`` and ``description``
    name the scheme in OpenAPI.
    """

    def __init__(
        self,
        *,
        scheme_name: Optional[str] = None,
        description: Optional[str] = None,
        **options: Unpack[GuardOptions],
    ) -> None:
        self.guard = JwtGuard(asynchronous=True, **options)
        self.model = HTTPBearerModel(bearerFormat="JWT", description=description)
        self.scheme_name = scheme_name or type(self).__name__
        # FastAPI's name for "None instead of an error when no credentials are sent".
        self.auto_error = not options.get("optional", False)

    async def __call__(self, request: HTTPConnection, security_scopes: SecurityScopes) -> Optional[Claims]:
        try:
            return await self.guard.authenticate_async(request.headers.get("authorization"), security_scopes.scopes)
        except AuthFailed as failure:
            raise HTTPException(
                status_code=failure.status,
                detail=failure.error_description or "Not authenticated",
                headers=failure.headers or None,
            ) from None
