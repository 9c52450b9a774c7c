"""The Flask app of the framework tests (routes: see framework_cases.py)."""

from __future__ import annotations

import os
from typing import Dict

from flask import Flask, g

from authjwt.flask import AuthJwt, current_claims, jwt_required

ISSUER, AUDIENCE, REALM = "https://auth.example.com", "api", "test"


def create_app(jwks_url: str, down_url: str) -> Flask:
    app = Flask(__name__)
    app.config.update(AUTHJWT_JWKS_URL=jwks_url, AUTHJWT_ISSUER=ISSUER, AUTHJWT_AUDIENCE=AUDIENCE, AUTHJWT_REALM=REALM)
    AuthJwt(app)
    down = AuthJwt(jwks_url=down_url, issuer=ISSUER, audience=AUDIENCE, realm=REALM)

    @app.get("/api/me")
    @jwt_required()
    def me() -> Dict[str, object]:
        return {"sub": current_claims()["sub"]}

    @app.get("/api/admin")
    @jwt_required(scopes=["admin"])
    def admin() -> Dict[str, object]:
        return {"sub": g.jwt_claims["sub"]}

    @app.get("/api/optional")
    @jwt_required(optional=True)
    def optional() -> Dict[str, object]:
        return {"sub": current_claims().get("sub")}

    @app.get("/down/me")
    @down.required()
    def down_me() -> Dict[str, object]:
        return {"sub": current_claims()["sub"]}

    return app


def app_from_env() -> Flask:
    return create_app(os.environ["JWKS_URL"], os.environ["DOWN_JWKS_URL"])
