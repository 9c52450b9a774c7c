"""Django: a Django REST framework authentication class and a middleware for plain Django views
(``pip install authjwt[django]``), configured by ``AUTHJWT = {...}`` in ``settings.py``:

    AUTHJWT = {"JWKS_URL": "https://auth.example.com/api/auth/jwks", "AUDIENCE": "api"}

    # Django REST framework
    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["authjwt.django.authentication.JwtAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    }

    # or plain Django views
    MIDDLEWARE = [..., "authjwt.django.middleware.JwtAuthenticationMiddleware"]

Keys: ``JWKS_URL``, ``ISSUER_URL`` (OIDC discovery) or ``KEY_SET``, ``ISSUER``, ``AUDIENCE``, ``ALGORITHMS``, ``REQUIRED_SCOPES``,
``REALM``, ``OPTIONAL``, ``RESOURCE_METADATA``, ``LEEWAY``, ``MAX_TOKEN_AGE``, ``REQUIRED_CLAIMS``,
``TYP``, ``SUBJECT``, ``REQUIRE_EXP`` (:func:`authjwt.verify_jwt`'s options). ``request.user`` is a
:class:`JwtUser` and ``request.auth`` the verified claims.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, Iterable, Optional, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from .._guard import Claims, JwtGuard

__all__ = ["Claims", "JwtUser", "claims_of", "guard", "jwt_exempt", "jwt_required"]

_View = TypeVar("_View", bound=Callable[..., Any])

_SETTINGS = (
    "JWKS_URL",
    "ISSUER_URL",
    "KEY_SET",
    "ISSUER",
    "AUDIENCE",
    "ALGORITHMS",
    "REQUIRED_SCOPES",
    "REALM",
    "OPTIONAL",
    "RESOURCE_METADATA",
    "LEEWAY",
    "MAX_TOKEN_AGE",
    "REQUIRED_CLAIMS",
    "TYP",
    "SUBJECT",
    "REQUIRE_EXP",
)

_guard: Optional[JwtGuard] = None
_guard_lock = threading.Lock()


def guard() -> JwtGuard:
    """The process-wide guard built from ``settings.AUTHJWT`` (rebuilt when tests override it)."""
    global _guard
    found = _guard
    if found is None:
        with _guard_lock:
            found = _guard
            if found is None:
                found = _guard = _guard_from_settings()
    return found


def _guard_from_settings() -> JwtGuard:
    configured: Any = getattr(settings, "AUTHJWT", None)
    if not isinstance(configured, dict):
        raise ImproperlyConfigured('authjwt needs AUTHJWT = {"JWKS_URL": ..., ...} in settings')
    unknown = set(configured) - set(_SETTINGS)
    if unknown:
        raise ImproperlyConfigured(f"unknown AUTHJWT setting(s): {', '.join(sorted(unknown))}")
    try:
        return JwtGuard(asynchronous=False, **{name.lower(): value for name, value in configured.items()})
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured(f"AUTHJWT: {error}") from error


def _settings_changed(*, setting: str, **_: Any) -> None:
    global _guard
    if setting == "AUTHJWT":
        _guard = None


setting_changed.connect(_settings_changed)


class JwtUser:
    """``request.user`` of a request with a valid token: not a database user, its ``sub`` and claims."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, claims: Claims) -> None:
        self.claims = claims
        sub = claims.get("sub")
        #: The token's subject (``sub``), or "" when it has none.
        self.username: str = sub if isinstance(sub, str) else ""

    @property
    def pk(self) -> str:
        return self.username

    @property
    def id(self) -> str:
        return self.username

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username


def jwt_exempt(view: _View) -> _View:
    """Marks a view the middleware leaves alone (as ``csrf_exempt`` does for CSRF)."""
    setattr(view, "authjwt_exempt", True)
    return view


def jwt_required(*, scopes: Iterable[str] = (), optional: Optional[bool] = None) -> Callable[[_View], _View]:
    """Marks a view's requirements for the middleware: ``scopes`` it needs besides ``REQUIRED_SCOPES``,
    and whether anonymous requests are let in (``OPTIONAL`` otherwise)."""
    if isinstance(scopes, str):
        raise TypeError("scopes is a list of scope names, not one string")
    route_scopes = tuple(scopes)

    def mark(view: _View) -> _View:
        setattr(view, "authjwt_scopes", route_scopes)
        setattr(view, "authjwt_optional", optional)
        return view

    return mark


def claims_of(request: Any) -> Claims:
    """The verified claims of a request that ``JwtAuthentication`` or the middleware let in
    (``request.auth``, typed); ``{}`` for an anonymous one."""
    return claims_or_none(request) or {}


def claims_or_none(request: Any) -> Optional[Dict[str, Any]]:
    """The verified claims the middleware or DRF put on ``request.auth``, else None."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, dict) else None
