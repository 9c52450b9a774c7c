"""The same API on Flask, through `authjwt.flask` (sync: the key set is `RemoteKeySet`).

    pip install 'authjwt[flask]' gunicorn
    JWKS_URL=http://127.0.0.1:3000/api/auth/jwks AUDIENCE=http://127.0.0.1:3000 \
        gunicorn --threads 16 -b 127.0.0.1:8000 flask_service:app

GET  /api/me     -> 200 {"sub": ...}, or the RFC 6750 answer (401/400/503 + WWW-Authenticate)
POST /api/notes  -> the same, and the token must grant the scope "notes:write" (else 403)
"""

from __future__ import annotations

import os
from typing import Dict, Tuple

from flask import Flask, request

from authjwt.flask import AuthJwt, current_claims, jwt_required

app = Flask(__name__)
app.config.update(
    AUTHJWT_JWKS_URL=os.environ.get("JWKS_URL", "http://127.0.0.1:3000/api/auth/jwks"),
    AUTHJWT_ISSUER=os.environ.get("ISSUER") or None,
    AUTHJWT_AUDIENCE=os.environ.get("AUDIENCE") or None,
    AUTHJWT_REALM="api",
)
AuthJwt(app)


@app.get("/api/me")
@jwt_required()
def me() -> Dict[str, object]:
    return {"sub": current_claims().get("sub")}


@app.post("/api/notes")
@jwt_required(scopes=["notes:write"])
def add_note() -> Tuple[Dict[str, object], int]:
    return {"by": current_claims().get("sub"), "text": request.get_data(as_text=True)}, 201
