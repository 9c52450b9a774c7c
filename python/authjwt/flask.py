"""Flask: an extension and a ``@jwt_required()`` decorator (``pip install authjwt[flask]``).

    from flask import Flask
    from authjwt.flask import AuthJwt, current_claims, jwt_required

    app = Flask(__name__)
    app.config["AUTHJWT_JWKS_URL"] = "https://auth.example.com/api/auth/jwks"
    app.config["AUTHJWT_AUDIENCE"] = "api"
    AuthJwt(app)

    @app.get("/api/me")
    @jwt_required()
    def me() -> dict[str, object]:
        return {"sub": current_claims()["sub"]}

    @app.delete("/api/items/<item>")
    @jwt_required(scopes=["items:write"])
    def delete(item: str) -> tuple[str, int]: ...

Every option is a keyword of :class:`AuthJwt` or an ``AUTHJWT_<NAME>`` config key (``JWKS_URL``,
``KEY_SET``, ``ISSUER``, ``AUDIENCE``, ``ALGORITHMS``, ``REQUIRED_SCOPES``, ``REALM``, ``OPTIONAL``,
``RESOURCE_METADATA``, ``LEEWAY``, ``MAX_TOKEN_AGE``, ``REQUIRED_CLAIMS``, ``TYP``, ``SUBJECT``,
``REQUIRE_EXP``). Failures abort with the werkzeug exception of the RFC 6750 status (so your
``@app.errorhandler(401)`` sees them) whose response carries the ``WWW-Authenticate`` header and a
JSON body ``{"error", "error_description"}``. The claims are in ``flask.g.jwt_claims``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Iterable, Optional, TypeVar, cast

from flask import Flask, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, default_exceptions

from ._guard import AuthFailed, Claims, JwtGuard

__all__ = ["AuthJwt", "Claims", "current_claims", "jwt_required"]

_View = TypeVar("_View", bound=Callable[..., Any])

_OPTIONS = (
    "jwks_url",
    "issuer_url",
    "key_set",
    "issuer",
    "audience",
    "algorithms",
    "required_scopes",
    "realm",
    "optional",
    "resource_metadata",
    "leeway",
    "max_token_age",
    "required_claims",
    "typ",
    "subject",
    "require_exp",
)


class AuthJwt:
    """The Flask extension: one guard (and key set) per app, shared by every protected view.

    ``AuthJwt(app)`` (or ``AuthJwt().init_app(app)``) serves :func:`jwt_required`; a second
    instance that is not registered (``other = AuthJwt(jwks_url=...)``) protects views of its own
    with ``@other.required()``.
    """

    def __init__(self, app: Optional[Flask] = None, **options: Any) -> None:
        unknown = set(options) - set(_OPTIONS)
        if unknown:
            raise TypeError(f"unknown AuthJwt option(s): {', '.join(sorted(unknown))}")
        self.options = options
        self._guard: Optional[JwtGuard] = None
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Reads ``AUTHJWT_*`` from ``app.config`` (keywords given to the extension win)."""
        options: Dict[str, Any] = {
            name: app.config[f"AUTHJWT_{name.upper()}"] for name in _OPTIONS if f"AUTHJWT_{name.upper()}" in app.config
        }
        options.update(self.options)
        self._guard = JwtGuard(asynchronous=False, **options)
        app.extensions["authjwt"] = self

    @property
    def guard(self) -> JwtGuard:
        """The request check (built from the keywords alone when no app registered this instance)."""
        if self._guard is None:
            self._guard = JwtGuard(asynchronous=False, **self.options)
        return self._guard

    def required(self, *, scopes: Iterable[str] = (), optional: Optional[bool] = None) -> Callable[[_View], _View]:
        """:func:`jwt_required` with this instance's options."""
        return _protect(lambda: self.guard, scopes, optional)


def jwt_required(*, scopes: Iterable[str] = (), optional: Optional[bool] = None) -> Callable[[_View], _View]:
    """Protects a view: a valid bearer JWT granting ``scopes`` (plus the app's ``required_scopes``)
    or the RFC 6750 refusal. ``optional=True`` lets requests without a token in (claims ``{}``)."""
    return _protect(_app_guard, scopes, optional)


def current_claims() -> Claims:
    """The verified claims of this request (``{}`` for an anonymous request to an optional view)."""
    claims: Optional[Claims] = g.get("jwt_claims")
    if claims is None:
        raise RuntimeError("current_claims() is only available in a view decorated with @jwt_required()")
    return claims


def _app_guard() -> JwtGuard:
    extension = current_app.extensions.get("authjwt")
    if not isinstance(extension, AuthJwt):
        raise RuntimeError("@jwt_required() needs AuthJwt(app) (or AuthJwt().init_app(app))")
    return extension.guard


def _protect(guard_of: Callable[[], JwtGuard], scopes: Iterable[str], optional: Optional[bool]) -> Callable[[_View], _View]:
    if isinstance(scopes, str):
        raise TypeError("scopes is a list of scope names, not one string")
    route_scopes = tuple(scopes)

    def decorate(view: _View) -> _View:
        @functools.wraps(view)
        def protected(*args: Any, **kwargs: Any) -> Any:
            try:
                claims = guard_of().authenticate(request.headers.get("authorization"), route_scopes, optional=optional)
            except AuthFailed as failure:
                raise _http_exception(failure) from None
            g.jwt_claims = {} if claims is None else claims
            return current_app.ensure_sync(view)(*args, **kwargs)

        return cast(_View, protected)

    return decorate


def _http_exception(failure: AuthFailed) -> HTTPException:
    response = jsonify(failure.body())
    response.status_code = failure.status
    response.headers.update(failure.headers)
    exception_class = default_exceptions.get(failure.status, HTTPException)
    return exception_class(description=failure.error_description, response=response)
