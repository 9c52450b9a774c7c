"""The same API on Django REST framework, through `authjwt.django`, in one module.

    pip install 'authjwt[django]' gunicorn
    JWKS_URL=http://127.0.0.1:3000/api/auth/jwks AUDIENCE=http://127.0.0.1:3000 \
        gunicorn --threads 16 -b 127.0.0.1:8000 django_service:application

GET /api/me -> 200 {"sub": ...}, or the RFC 6750 answer (401/400/503 + WWW-Authenticate)
"""

from __future__ import annotations

import os

# settings.py (this module is its own settings module)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "change me")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = __name__
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["authjwt.django.authentication.JwtAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
}
AUTHJWT = {
    "JWKS_URL": os.environ.get("JWKS_URL", "http://127.0.0.1:3000/api/auth/jwks"),
    "ISSUER": os.environ.get("ISSUER") or None,
    "AUDIENCE": os.environ.get("AUDIENCE") or None,
    "REALM": "api",
}
os.environ.setdefault("DJANGO_SETTINGS_MODULE", __name__)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from authjwt.django import claims_of  # noqa: E402


class Me(APIView):
    def get(self, request: Request) -> Response:
        return Response({"sub": claims_of(request)["sub"]})


urlpatterns = [path("api/me", Me.as_view())]
application = get_wsgi_application()
