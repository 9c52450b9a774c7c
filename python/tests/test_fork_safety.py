"""Fork safety: every authjwt object made before a fork works in the child, within its timeouts,
and the parent is never affected.

Real gunicorn (sync, gthread and uvicorn workers, with and without --preload) serves
lifecycle/fork_app.py, whose objects are made at import (with --preload: in the master, warmed
or not); multiprocessing with the fork start method and plain os.fork() run in
lifecycle/fork_script.py. Caches last 1 s, so each test crosses the refresh points (the issue's
300 s `key_cache_ttl` and 600 s `cache_max_age` hangs). Every wait is bounded.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import authjwt
from conftest import SECRET, CountingStore, JwksServer

LIFECYCLE = Path(__file__).resolve().parent / "lifecycle"
GUNICORN = Path(sys.executable).parent / "gunicorn"
REQUEST_TIMEOUT = 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int) -> Dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", "/api/me")
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200, body
        return dict(json.loads(body))
    finally:
        conn.close()


@pytest.fixture
def published_key(jwks_server: JwksServer, tmp_path: Path) -> Path:
    """A key made by the test, published by the JWKS server and written as store rows."""
    store = CountingStore()
    jwks_server.document = authjwt.Issuer(store=store, secret=SECRET).jwks()
    rows = [{**r.to_dict(), "createdAt": r.created_at.isoformat()} for r in store.rows]
    for row in rows:
        row.pop("expiresAt", None)
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows))
    return path


WORKERS = {
    "sync": ["-k", "sync"],
    "gthread": ["-k", "gthread", "--threads", "4"],
    "uvicorn": ["-k", "uvicorn_worker.UvicornWorker"],
}


@pytest.fixture
def gunicorn(jwks_server: JwksServer, published_key: Path, tmp_path: Path) -> Iterator[Any]:
    started: List[subprocess.Popen[bytes]] = []

    def start(worker: str, preload: bool, warm: bool) -> int:
        port = free_port()
        env = dict(os.environ)
        env.update(
            AUTHJWT_TEST_SECRET=SECRET,
            AUTHJWT_TEST_JWKS_URL=jwks_server.url,
            AUTHJWT_TEST_ROWS=str(published_key),
            AUTHJWT_TEST_WARM="1" if warm else "0",
        )
        target = "fork_app:asgi" if worker == "uvicorn" else "fork_app:app"
        args = [str(GUNICORN), *WORKERS[worker], "-w", "2", "--bind", f"127.0.0.1:{port}",
                "--chdir", str(LIFECYCLE), "--timeout", "30", "--graceful-timeout", "3",
                *(["--preload"] if preload else []), target]
        log = open(tmp_path / f"gunicorn-{worker}.log", "wb")
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        started.append(proc)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not start: {(tmp_path / f'gunicorn-{worker}.log').read_text()}")
                time.sleep(0.1)

    yield start
    for proc in started:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def hit(port: int, count: int) -> List[Dict[str, Any]]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda _: get(port), range(count)))


@pytest.mark.parametrize("worker", ["sync", "gthread", "uvicorn"])
@pytest.mark.parametrize("mode", ["preload-warm", "preload-cold", "no-preload"])
def test_gunicorn_workers_sign_and_verify_across_refreshes(gunicorn: Any, worker: str, mode: str) -> None:
    port = gunicorn(worker, preload=mode.startswith("preload"), warm=mode == "preload-warm")
    answers = hit(port, 8)
    time.sleep(2.2)  # past key_cache_ttl (1 s) and cache_max_age (1 s): every cache refreshes
    answers += hit(port, 8)
    for a in answers:
        prefix = "asgi" if worker == "uvicorn" else "wsgi"
        assert set(a["subs"]) == {f"{prefix}-{a['pid']}"}, a


def test_multiprocessing_and_os_fork() -> None:
    done = subprocess.run(
        [sys.executable, str(LIFECYCLE / "fork_script.py")],
        capture_output=True, text=True, timeout=180, cwd=LIFECYCLE,
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("all ok"), done.stdout + done.stderr
