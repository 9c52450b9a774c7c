"""Interpreter exit: no crash, whatever authjwt's worker threads were doing.

The scripts in lifecycle/ crashed at exit on the runtime threads (SIGSEGV, or abort with "Fatal
Python error: PyGILState_Release ... Python runtime state: finalizing") in about half of their
runs: the threads outlived the interpreter and touched Python objects while it finalized. Each
script runs 50 times in fresh interpreters; every run must exit 0 with no fatal error.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Tuple

import pytest

from conftest import REPO_ROOT

SCRIPTS = Path(__file__).resolve().parent / "lifecycle"
EXAMPLES = REPO_ROOT / "examples" / "python-service"
RUNS = 50


def run(args: List[str], cwd: Path) -> Tuple[int, str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=cwd)
    return done.returncode, done.stderr


def run_many(args: List[str], cwd: Path, runs: int = RUNS) -> None:
    # 4 at a time bounds wall time; more load makes the exit race (on the old code) rarer.
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: run(args, cwd), range(runs)))
    failed = [(code, err) for code, err in results if code != 0 or "Fatal Python error" in err]
    assert not failed, (
        f"{len(failed)} of {runs} runs failed; exit statuses {sorted({c for c, _ in failed})}; "
        f"first stderr:\n{failed[0][1][-2000:]}"
    )


@pytest.mark.parametrize("script", ["exit_many.py", "exit_failing.py"])
def test_exit_is_clean_in_every_run(script: str) -> None:
    run_many([sys.executable, str(SCRIPTS / script)], SCRIPTS)


def test_a_call_after_the_exit_hook_is_refused_clearly() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "exit_late_call.py")],
        capture_output=True, text=True, timeout=60, cwd=SCRIPTS,
    )
    assert done.returncode == 0, done.stderr
    assert "Fatal Python error" not in done.stderr
    assert "late call" in done.stdout, done.stdout + done.stderr


def test_the_sqlite_example_exits_0_in_every_run(tmp_path: Path) -> None:
    def one(i: int) -> Tuple[int, str]:
        return run([sys.executable, str(EXAMPLES / "issue_sqlite.py"), str(tmp_path / f"{i}.db")], EXAMPLES)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, range(10)))
    assert all(code == 0 and "Fatal Python error" not in err for code, err in results), results
