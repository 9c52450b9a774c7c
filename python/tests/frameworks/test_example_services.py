"""examples/python-service's APIs on the integrations: run for real, and `mypy --strict` clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT, JwksServer, make_issuer
from framework_cases import BIN, Server, free_port, invalid_token

EXAMPLES = REPO_ROOT / "examples" / "python-service"


def test_fastapi_api_server_verifies_bearer_tokens(jwks_server: JwksServer) -> None:
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
        port = int(line.split("listening on ")[1].split()[0].rsplit(":", 1)[1])
        server = Server.attach(port)
        ok = server.send("/api/me", {"Authorization": f"Bearer {token}"})
        assert (ok.status, ok.body) == (200, {"sub": "user-7", "claims": issuer.verify(token).payload})
        missing = server.send("/api/me", {})
        assert (missing.status, missing.headers["www-authenticate"]) == (401, 'Bearer realm="api"')
        tampered = server.send("/api/me", {"Authorization": f"Bearer {token[:-4]}AAAA"})
        assert tampered.status == 401
        assert tampered.headers["www-authenticate"] == invalid_token("the token's signature is invalid").replace(
            'realm="test"', 'realm="api"'
        )
        expired = server.send("/api/me", {"Authorization": "Bearer " + issuer.sign({"sub": "u"}, expiration_time="-1h")})
        assert (expired.status, expired.body) == (401, {"detail": "the token has expired"})
        assert server.send("/health", {}).body == {"status": "ok"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_flask_and_django_services_verify_bearer_tokens_under_gunicorn(jwks_server: JwksServer) -> None:
    issuer = make_issuer()
    jwks_server.document = issuer.jwks()
    token = issuer.sign({"sub": "user-8", "scope": "notes:write"})
    env = {"JWKS_URL": jwks_server.url, "AUDIENCE": "api", "ISSUER": "https://auth.example.com"}
    for app in ("flask_service:app", "django_service:application"):
        # This pytest process has DJANGO_SETTINGS_MODULE set for the test project: not for the example.
        env["DJANGO_SETTINGS_MODULE"] = "django_service"
        port = free_port()
        argv = [str(BIN / "gunicorn"), "--no-control-socket", "--threads", "4", "--bind", f"127.0.0.1:{port}", "--chdir", str(EXAMPLES), app]
        server = Server(argv, port, env)
        try:
            ok = server.send("/api/me", {"Authorization": f"Bearer {token}"})
            assert (ok.status, ok.body) == (200, {"sub": "user-8"}), app
            missing = server.send("/api/me", {})
            assert (missing.status, missing.headers["www-authenticate"]) == (401, 'Bearer realm="api"'), app
            foreign = server.send("/api/me", {"Authorization": "Bearer " + make_issuer().sign({"sub": "x"})})
            assert foreign.status == 401 and 'error="invalid_token"' in foreign.headers["www-authenticate"], app
        except BaseException:
            print(server.logs())
            raise
        finally:
            server.close()


def readme_framework_snippets() -> dict[str, str]:
    """The Python blocks of python/README.md's "Protecting routes" section, by framework."""
    text = (REPO_ROOT / "python" / "README.md").read_text()
    section = text.split("\n## Protecting routes\n", 1)[1].split("\n## ", 1)[0]
    snippets: dict[str, str] = {}
    for part in section.split("\n### ")[1:]:
        name = part.split("\n", 1)[0].strip().lower()
        blocks = [block.split("```", 1)[0] for block in part.split("```python\n")[1:]]
        for index, block in enumerate(blocks):
            snippets[f"{name}_{index}"] = block
    return snippets


def test_mypy_strict_accepts_the_examples_and_the_readme_snippets(tmp_path: Path) -> None:
    snippets = readme_framework_snippets()
    assert {name.split("_")[0] for name in snippets} == {"fastapi", "starlette", "flask", "django"}
    for name, code in snippets.items():
        (tmp_path / f"readme_{name}.py").write_text(code)
    examples = [str(EXAMPLES / name) for name in ("api_server.py", "flask_service.py", "django_service.py")]
    # One run (mypy is slow to start); the examples are checked where they live.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "mypy"),
         *examples, *sorted(str(p) for p in tmp_path.glob("readme_*.py"))],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
