"""The package as users get it: stubs checked by mypy --strict and stubtest, py.typed, abi3 wheel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_mypy(path: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp / "mypy"), str(path)],
        capture_output=True,
        text=True,
        cwd=tmp,  # never the source tree: the installed package and its py.typed are checked
    )


def test_mypy_strict_accepts_the_typed_sample(tmp_path: Path) -> None:
    result = run_mypy(HERE / "typed_sample.py", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_rejects_wrong_types(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import authjwt\n"
        "issuer = authjwt.Issuer(secret='s' * 32)\n"
        "n: int = issuer.sign({'a': 1})\n"
        "authjwt.verify_jwt('t', {'keys': []})\n"
    )
    result = run_mypy(bad, tmp_path)
    assert result.returncode == 1
    assert "Incompatible types in assignment" in result.stdout
    assert 'Argument 2 to "verify_jwt"' in result.stdout


def test_package_ships_py_typed_and_stubs() -> None:
    import authjwt

    pkg = Path(authjwt.__file__).parent
    assert (pkg / "py.typed").exists() and (pkg / "_native.pyi").exists()


def test_stubs_match_the_compiled_module(tmp_path: Path) -> None:
    # mypy's stubtest compares every name and signature of _native.pyi with the runtime module.
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "authjwt._native"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_installed_wheel_is_abi3_for_python_39_and_later() -> None:
    from importlib.metadata import distribution

    dist = distribution("authjwt")
    wheel_meta = dist.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel_meta.splitlines() if line.startswith("Tag:")]
    assert tags and all(t.startswith("cp39-abi3-") for t in tags), tags
    files = [str(f) for f in dist.files or []]
    assert any(f.endswith("_native.abi3.so") for f in files), files


def test_package_docstring_example_runs() -> None:
    import doctest

    import authjwt

    result = doctest.testmod(authjwt)
    assert result.attempted > 0 and result.failed == 0
