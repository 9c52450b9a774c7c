"""One key set per JWKS URL per process, whatever integration asks; sources checked up front."""

from __future__ import annotations

import os
import select
import signal
from typing import Any

import pytest

import authjwt
from authjwt.fastapi import JwtBearer
from authjwt.flask import AuthJwt
from authjwt.starlette import JwtBackend
from conftest import make_issuer
from framework_cases import dead_jwks_url


def test_every_guard_of_a_url_uses_the_same_key_set() -> None:
    url = dead_jwks_url()
    bearer, backend = JwtBearer(jwks_url=url), JwtBackend(jwks_url=url, optional=True)
    assert isinstance(bearer.guard.key_set, authjwt.AsyncRemoteKeySet)
    assert bearer.guard.key_set is backend.guard.key_set
    flask_guard = AuthJwt(jwks_url=url).guard
    assert isinstance(flask_guard.key_set, authjwt.RemoteKeySet)
    assert flask_guard.key_set is AuthJwt(jwks_url=url, audience="other").guard.key_set
    assert JwtBearer(jwks_url=dead_jwks_url()).guard.key_set is not bearer.guard.key_set


def test_a_forked_worker_builds_its_own_key_sets() -> None:
    url = dead_jwks_url()
    parent = AuthJwt(jwks_url=url).guard.key_set
    read, write = os.pipe()
    ready: list[int] = []
    pid = os.fork()
    if pid == 0:  # the child: report whether it got a fresh key set
        try:
            fresh = AuthJwt(jwks_url=url).guard.key_set is not parent
            os.write(write, b"fresh" if fresh else b"inherited")
        finally:
            os._exit(0)  # never return into pytest in the child
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], 30)
        assert ready, "the forked child did not answer within 30 s"
        assert os.read(read, 16) == b"fresh"
    finally:
        os.close(read)
        if not ready:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


@pytest.mark.parametrize(
    "make, source",
    [
        (lambda source: JwtBearer(key_set=source), authjwt.RemoteKeySet(dead_jwks_url())),
        (lambda source: JwtBearer(key_set=source), make_issuer()),
        (lambda source: AuthJwt(key_set=source).guard, authjwt.AsyncRemoteKeySet(dead_jwks_url())),
    ],
)
def test_a_key_set_that_does_not_fit_the_framework_is_refused_at_once(make: Any, source: Any) -> None:
    with pytest.raises(TypeError, match="key_set must be"):
        make(source)


def test_exactly_one_key_source() -> None:
    with pytest.raises(TypeError, match="exactly one"):
        JwtBearer()
    with pytest.raises(TypeError, match="exactly one"):
        JwtBearer(jwks_url=dead_jwks_url(), key_set=authjwt.KeySet.from_jwks(make_issuer().jwks()))
    with pytest.raises(TypeError, match="not one string"):
        JwtBearer(jwks_url=dead_jwks_url(), required_scopes="admin")


def test_local_key_sets_and_issuers_verify_without_a_jwks_url() -> None:
    from fastapi import Depends, FastAPI
    from fastapi.testclient import TestClient
    from flask import Flask

    from authjwt.flask import current_claims, jwt_required

    issuer = make_issuer()
    token = issuer.sign({"sub": "local-1"})

    api = FastAPI()
    require_jwt = JwtBearer(key_set=authjwt.KeySet.from_jwks(issuer.jwks()), audience="api")

    @api.get("/me")
    async def me(claims: dict[str, Any] = Depends(require_jwt)) -> dict[str, Any]:
        return {"sub": claims["sub"]}

    with TestClient(api) as client:
        assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).json() == {"sub": "local-1"}

    app = Flask(__name__)
    AuthJwt(app, key_set=issuer)  # the issuer verifies its own tokens (its issuer/audience as defaults)

    @app.get("/me")
    @jwt_required()
    def flask_me() -> dict[str, Any]:
        return {"sub": current_claims()["sub"]}

    response = app.test_client().get("/me", headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.get_json()) == (200, {"sub": "local-1"})


def test_resource_metadata_and_required_scopes_reach_the_challenge() -> None:
    from fastapi import Depends, FastAPI
    from fastapi.testclient import TestClient

    issuer = make_issuer()
    metadata = "https://api.example.com/.well-known/oauth-protected-resource"
    require_jwt = JwtBearer(
        key_set=authjwt.KeySet.from_jwks(issuer.jwks()), required_scopes=["mcp"], resource_metadata=metadata
    )
    api = FastAPI()

    @api.get("/mcp")
    async def mcp(claims: dict[str, Any] = Depends(require_jwt)) -> dict[str, Any]:
        return claims

    with TestClient(api) as client:
        missing = client.get("/mcp")
        assert (missing.status_code, missing.headers["www-authenticate"]) == (
            401,
            f'Bearer resource_metadata="{metadata}"',
        )
        no_scope = client.get("/mcp", headers={"Authorization": f"Bearer {issuer.sign({'sub': 'u'})}"})
        assert no_scope.status_code == 403
        assert no_scope.headers["www-authenticate"].endswith(f'scope="mcp", resource_metadata="{metadata}"')
        granted = client.get("/mcp", headers={"Authorization": f"Bearer {issuer.sign({'sub': 'u', 'scope': 'mcp'})}"})
        assert granted.status_code == 200
