"""A one-module Django project for the framework tests (DJANGO_SETTINGS_MODULE=django_app): the
same routes under /drf (Django REST framework views, JwtAuthentication) and /plain (plain views
behind JwtAuthenticationMiddleware). Routes: see framework_cases.py."""

from __future__ import annotations

import os
from typing import Any

# --- settings (read while this module is still importing: they come first) ---
SECRET_KEY = "framework tests only"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
ROOT_URLCONF = "django_app"
INSTALLED_APPS: list[str] = []
DATABASES: dict[str, Any] = {}
USE_TZ = True
MIDDLEWARE = ["authjwt.django.middleware.JwtAuthenticationMiddleware"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["authjwt.django.authentication.JwtAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
}
AUTHJWT = {
    "JWKS_URL": os.environ.get("JWKS_URL", "http://127.0.0.1:9/unset"),
    "ISSUER": "https://auth.example.com",
    "AUDIENCE": "api",
    "REALM": "test",
}


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app")

from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from authjwt.django import JwtUser, jwt_required
from authjwt.django.authentication import HasScopes


# --- Django REST framework views ---
def sub_of(user: Any) -> Any:
    return user.username if isinstance(user, JwtUser) else None


class Me(APIView):
    def get(self, request: Request) -> Response:
        return Response({"sub": sub_of(request.user), "claims_sub": request.auth["sub"]})


class Admin(APIView):
    permission_classes = [IsAuthenticated, HasScopes]
    required_scopes = ["admin"]

    def get(self, request: Request) -> Response:
        return Response({"sub": sub_of(request.user)})


class Optional(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"sub": sub_of(request.user)})


# --- plain Django views (the middleware) ---
def me(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"sub": sub_of(request.user)})


@jwt_required(scopes=["admin"])
def admin(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"sub": sub_of(request.user)})


@jwt_required(optional=True)
def optional(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"sub": sub_of(getattr(request, "user", None))})


urlpatterns = [
    path("drf/api/me", Me.as_view()),
    path("drf/api/admin", Admin.as_view()),
    path("drf/api/optional", Optional.as_view()),
    path("drf/down/me", Me.as_view()),
    path("plain/api/me", me),
    path("plain/api/admin", admin),
    path("plain/api/optional", optional),
    path("plain/down/me", me),
]

# --- WSGI (gunicorn django_app:application) ---
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
