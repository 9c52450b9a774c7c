"""A middleware for plain Django views: each view gets a verified token, or the RFC 6750 answer.

Add ``"authjwt.django.middleware.JwtAuthenticationMiddleware"`` to ``MIDDLEWARE`` (after
``AuthenticationMiddleware`` if you have it). Every view is protected unless marked
``@jwt_exempt``; ``@jwt_required(scopes=[...], optional=...)`` adds a view's own needs. Django REST
framework views are left to :class:`authjwt.django.authentication.JwtAuthentication`.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

from django.http import HttpRequest, HttpResponse, JsonResponse

from .._guard import AuthFailed
from . import JwtUser, guard

__all__ = ["JwtAuthenticationMiddleware"]


class JwtAuthenticationMiddleware:
    """Sets ``request.auth`` (claims, or None when anonymous) and ``request.user`` (a
    :class:`JwtUser`), or answers 400/401/403/503 with ``WWW-Authenticate`` and a JSON body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Tuple[Any, ...],
        view_kwargs: Dict[str, Any],
    ) -> Optional[HttpResponse]:
        if getattr(view_func, "authjwt_exempt", False) or hasattr(view_func, "cls"):
            return None  # exempt, or a Django REST framework view (its authentication classes decide)
        try:
            claims = guard().authenticate(
                request.headers.get("authorization"),
                getattr(view_func, "authjwt_scopes", ()),
                optional=getattr(view_func, "authjwt_optional", None),
            )
        except AuthFailed as failure:
            return JsonResponse(failure.body(), status=failure.status, headers=failure.headers)
        setattr(request, "auth", claims)
        if claims is not None:
            setattr(request, "user", JwtUser(claims))
        return None
