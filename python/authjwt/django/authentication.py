"""Django REST framework: ``JwtAuthentication`` (and ``HasScopes``) configured by ``AUTHJWT``.

    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["authjwt.django.authentication.JwtAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    }

    class ItemView(APIView):
        permission_classes = [IsAuthenticated, HasScopes]
        required_scopes = ["items:write"]

As with DRF's own ``TokenAuthentication``, a request without an ``Authorization`` header is
anonymous and the permission classes decide (``IsAuthenticated``: 401 with ``WWW-Authenticate``);
a bad token is 401 ``invalid_token`` (``authenticate_header`` is set, so never DRF's 403), a
malformed header 400, missing scopes 403 ``insufficient_scope``, an unreachable JWKS 503.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import APIException, AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .._guard import AuthFailed, JwtGuard
from . import JwtUser, claims_or_none, guard

__all__ = ["BearerRefused", "HasScopes", "JwtAuthentication"]

_CHALLENGE = "_authjwt_www_authenticate"


class BearerRefused(APIException):
    """A refusal other than 401 (400, 403, 500, 503), with its ``WWW-Authenticate`` header."""

    def __init__(self, failure: AuthFailed) -> None:
        super().__init__(detail=failure.error_description, code=failure.error)
        self.status_code = failure.status
        self.auth_header = failure.headers.get("WWW-Authenticate")


def _refusal(request: Request, failure: AuthFailed) -> APIException:
    if failure.status == 401:
        # DRF asks authenticate_header() for the 401's header: hand it this request's challenge.
        setattr(request, _CHALLENGE, failure.headers.get("WWW-Authenticate"))
        return AuthenticationFailed(detail=failure.error_description, code=failure.error)
    return BearerRefused(failure)


class JwtAuthentication(BaseAuthentication):
    """Authenticates ``Authorization: Bearer <jwt>``: ``request.user`` is a :class:`JwtUser`,
    ``request.auth`` the verified claims."""

    def guard(self) -> JwtGuard:
        return guard()

    def authenticate(self, request: Request) -> Optional[Tuple[Any, Any]]:
        authorization = request.headers.get("authorization")
        if not authorization:
            return None
        try:
            claims = self.guard().authenticate(authorization, optional=False)
        except AuthFailed as failure:
            raise _refusal(request, failure) from None
        assert claims is not None
        return JwtUser(claims), claims

    def authenticate_header(self, request: Request) -> Optional[str]:
        challenge: Optional[str] = getattr(request, _CHALLENGE, None)
        if challenge is None:
            challenge = self.guard().failure("missing_token").headers.get("WWW-Authenticate")
        return challenge


class HasScopes(BasePermission):
    """Requires the scopes in the view's ``required_scopes`` (django-oauth-toolkit's name); a token
    without them is 403 ``insufficient_scope`` with the ``scope`` the view needs."""

    def has_permission(self, request: Request, view: Any) -> bool:
        claims = claims_or_none(request)
        if claims is None:
            return False  # DRF answers 401 (NotAuthenticated) with authenticate_header
        guard_ = guard()
        required = guard_.scopes_for(getattr(view, "required_scopes", ()))
        try:
            guard_.check_scopes(claims, required)
        except AuthFailed as failure:
            raise BearerRefused(failure) from None
        return True
