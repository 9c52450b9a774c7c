"""Cold start, Python (a program that prints figures, never a test).

Import, first token and first verify in fresh interpreters, median of RUNS (default 20) per
cell, EdDSA and ES256:
- authjwt, a store holding one row sealed as authjwt-v2 with a random secret (HKDF), authjwt-v2
  with a typed secret (PBKDF2), authjwt-v1 (PBKDF2) and better-auth (SHA-256 key);
- PyJWT: ``PyJWK`` of a plain private JWK + ``jwt.encode`` (no store, no sealing: the floor), and
  ``jwt.decode`` against the public JWK.

    .cache/python-bench/bin/python bench/cold_start.py     # RUNS=20; authjwt, PyJWT installed

Processes of all cells are interleaved (one round = one process per cell), so load changes hit
every cell alike; the load average is printed beside the table.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from typing import Any, Dict, List

RUNS = int(os.environ.get("RUNS", "20"))
ISS = "https://auth.example.com"
AUD = "https://api.example.com"
# 32 random bytes in hex (as `openssl rand -hex 32`) and a typed secret of Better Auth's minimum.
RANDOM_SECRET = "c4e1a97f3b2d0856e9f1a3c7b5d2e8f04a6c9b1d3e7f5a2c8b0d4e6f1a3c5b7d"
TYPED_SECRET = "our production signing secret, do not share"
PAYLOAD = {"sub": "user_2NfTq7XJ9kLm4PzR8wYc", "email": "ada.lovelace@example.com", "name": "Ada Lovelace"}
ALGS = ["EdDSA", "ES256"]
CELLS = [
    ("authjwt-v2, random secret (HKDF)", "authjwt", "authjwt-v2", RANDOM_SECRET),
    ("authjwt-v2, typed secret (PBKDF2)", "authjwt", "authjwt-v2", TYPED_SECRET),
    ("authjwt-v1 (PBKDF2)", "authjwt", "authjwt-v1", RANDOM_SECRET),
    ("authjwt, better-auth format", "authjwt", "better-auth", RANDOM_SECRET),
    ("PyJWT PyJWK + encode", "pyjwt", None, None),
]


def ms_since(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def child(kind: str, fixture_path: str) -> None:
    with open(fixture_path) as f:
        fx = json.load(f)
    alg = fx["alg"]
    out: Dict[str, Any] = {}
    t0 = time.perf_counter()
    if kind == "authjwt":
        import authjwt

        out["import"] = ms_since(t0)
        t0 = time.perf_counter()
        row = dict(fx["row"], created_at=datetime.fromtimestamp(fx["row"]["created_at"], timezone.utc))
        issuer = authjwt.Issuer(
            store=authjwt.MemoryStore([row]),
            secret=fx["secret"],
            private_key_format=fx["format"],
            key_pair_config={"alg": alg},
            issuer=ISS,
            audience=AUD,
        )
        token = issuer.sign(PAYLOAD)
        out["token"] = ms_since(t0)
        t0 = time.perf_counter()
        authjwt.verify_jwt(token, authjwt.KeySet.from_jwks(fx["jwks"]), issuer=ISS, audience=AUD)
        out["verify"] = ms_since(t0)
        out["kid"] = authjwt.decode_header(token)["kid"]
    else:
        import jwt

        out["import"] = ms_since(t0)
        t0 = time.perf_counter()
        key = jwt.PyJWK(fx["private_jwk"], algorithm=alg)
        now = int(time.time())
        claims = dict(PAYLOAD, iat=now, exp=now + 900, iss=ISS, aud=AUD)
        token = jwt.encode(claims, key.key, algorithm=alg, headers={"kid": fx["row"]["id"]})
        out["token"] = ms_since(t0)
        t0 = time.perf_counter()
        public = jwt.PyJWK(fx["jwks"]["keys"][0], algorithm=alg)
        jwt.decode(token, public.key, algorithms=[alg], audience=AUD, issuer=ISS)
        out["verify"] = ms_since(t0)
        out["kid"] = jwt.get_unverified_header(token)["kid"]
    sys.stdout.write(json.dumps(out))


def row_dict(row: Any) -> Dict[str, Any]:
    return {"id": row.id, "public_key": row.public_key, "private_key": row.private_key,
            "created_at": row.created_at.timestamp(), "alg": row.alg, "crv": row.crv}


def describe(private_key: str) -> str:
    v = json.loads(private_key)
    return "better-auth" if isinstance(v, str) else f"v{v['v']} {v['kdf']}"


def fixtures(directory: str) -> Dict[str, Dict[str, Any]]:
    import authjwt

    files: Dict[str, Dict[str, Any]] = {}
    for alg in ALGS:
        for name, kind, fmt, secret in CELLS:
            if kind == "authjwt":
                store = authjwt.MemoryStore()
                issuer = authjwt.Issuer(store=store, secret=secret, private_key_format=fmt, key_pair_config={"alg": alg})
            else:
                store = authjwt.MemoryStore()
                issuer = authjwt.Issuer(store=store, disable_private_key_encryption=True, key_pair_config={"alg": alg})
            issuer.sign({})
            [row] = store.get_jwks()
            fx = {"alg": alg, "row": row_dict(row), "jwks": issuer.jwks(), "secret": secret, "format": fmt}
            if kind == "pyjwt":
                fx["private_jwk"] = json.loads(row.private_key)
            path = os.path.join(directory, f"{alg}-{len(files)}.json")
            with open(path, "w") as f:
                json.dump(fx, f)
            row_kind = describe(row.private_key) if kind == "authjwt" else "plain JWK in hand"
            files[f"{name}|{alg}"] = {"kind": kind, "path": path, "kid": row.id, "row": row_kind}
    return files


def parent() -> None:
    with tempfile.TemporaryDirectory(prefix="authjwt-cold-") as directory:
        files = fixtures(directory)
        load0 = os.getloadavg()
        samples: Dict[str, List[Dict[str, Any]]] = {}
        for _ in range(RUNS):
            for alg in ALGS:
                for name, *_ in CELLS:
                    f = files[f"{name}|{alg}"]
                    run = subprocess.run([sys.executable, __file__, "child", f["kind"], f["path"]],
                                         capture_output=True, text=True)
                    if run.returncode != 0:
                        raise SystemExit(f"{name} {alg}: the child failed:\n{run.stderr}")
                    out = json.loads(run.stdout)
                    # The token must come from the fixture's row: no fresh key was made on the way.
                    if out["kid"] != f["kid"]:
                        raise SystemExit(f"{name} {alg}: signed with {out['kid']}, not the stored {f['kid']}")
                    samples.setdefault(f"{name}|{alg}", []).append(out)
        load1 = os.getloadavg()
    print(f"Python {sys.version.split()[0]}, cold start: median of {RUNS} fresh processes per cell (ms); "
          f"load average {' '.join(f'{x:.2f}' for x in load0)} before, {' '.join(f'{x:.2f}' for x in load1)} after")
    print()
    print("| alg | implementation | row | import | first token | first verify | import + token | vs PyJWT |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    result = {}
    for alg in ALGS:
        def med(name: str) -> Dict[str, float]:
            xs = samples[f"{name}|{alg}"]
            return {k: statistics.median(x[k] for x in xs) for k in ("import", "token", "verify")}

        peer = med(CELLS[-1][0])
        for name, *_ in CELLS:
            m = med(name)
            row = files[f"{name}|{alg}"]["row"]
            print(f"| {alg} | {name} | {row} | {m['import']:.1f} | {m['token']:.1f} | {m['verify']:.1f} | "
                  f"{m['import'] + m['token']:.1f} | {peer['token'] / m['token']:.2f}x |")
            result[f"{alg} {name}"] = m
    print()
    print("Ratios compare the first token (PyJWT's time / this time: above 1.00x is faster than PyJWT).")
    if os.environ.get("COLD_START_JSON"):
        with open(os.environ["COLD_START_JSON"], "w") as f:
            json.dump({"load": [load0, load1], "runs": RUNS, "result": result}, f)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3])
    else:
        parent()
