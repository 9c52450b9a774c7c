"""Smoke tests of examples/python-service: the sqlite issuer and the verifying API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from conftest import REPO_ROOT, JwksServer, make_issuer

EXAMPLES = REPO_ROOT / "examples" / "python-service"


def test_sqlite_issuing_example_runs(tmp_path: Path) -> None:
    db = tmp_path / "auth.db"
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "issue_sqlite.py"), str(db)],
        capture_output=True, text=True, timeout=120, cwd=EXAMPLES,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "ok"
    assert "sealed" in result.stdout and db.exists()


def get(url: str, token: Optional[str]) -> Tuple[int, Dict[str, Any]]:
    req = urllib.request.Request(url)
    if token is not None:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_api_server_example_verifies_bearer_tokens(jwks_server: JwksServer) -> None:
    issuer = make_issuer()
    token = issuer.sign({"sub": "user-7"})
    jwks_server.document = issuer.jwks()
    env = dict(os.environ, JWKS_URL=jwks_server.url, AUDIENCE="api", QUIET="1")
    proc = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "api_server.py"), "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=EXAMPLES,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "listening on" in line, line + (proc.stderr.read() if proc.stderr else "")
        base = line.split("listening on ")[1].split()[0]
        assert get(f"{base}/api/me", token) == (200, {"sub": "user-7", "claims": issuer.verify(token).payload})
        assert get(f"{base}/api/me", None)[0] == 401
        status, body = get(f"{base}/api/me", token[:-4] + "AAAA")
        assert (status, body["error"]) == (401, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED")
        expired = issuer.sign({"sub": "user-7"}, expiration_time="-1h")
        assert get(f"{base}/api/me", expired) == (401, {"error": "ERR_JWT_EXPIRED"})
    finally:
        proc.terminate()
        proc.wait(timeout=10)
