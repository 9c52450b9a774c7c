"""Smoke test of examples/python-service's sqlite issuer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT

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


# The API examples (api_server.py on FastAPI, flask_service.py, django_service.py) need their
# frameworks: they are tested by frameworks/test_example_services.py (scripts/suites/41-python-frameworks.sh).
