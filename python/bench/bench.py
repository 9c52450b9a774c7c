"""Sign and verify throughput of authjwt against PyJWT and joserfc, one process, same keys and
payload (~200 bytes: sub, email, name, iat, iss, aud, exp). Prints a Markdown table.

    python python/bench/bench.py [--seconds 1.0]

A program, never a test: the figures depend on the machine. Each contender gets its key already
imported and authjwt its key already loaded; single thread; each figure is the median of 5
interleaved rounds. The binding's overhead over the core's own Rust loop
(core/examples/bench_core.rs) is in bench/run.sh's summary, which runs both.
"""

from __future__ import annotations

import argparse
import warnings
import datetime as dt
import json
import os
import platform
import statistics
import time
from typing import Any, Callable, Dict, List, Tuple

import jwt as pyjwt
from joserfc import jwt as jose_jwt
from joserfc.jwk import ECKey, OKPKey, RSAKey

import authjwt

ISS = "https://auth.example.com"
AUD = "https://api.example.com"
USER = {"sub": "2f1c9a77-1d0b-4f5e-9a43-7c1e0d7b5e21", "email": "ada.lovelace@example.com", "name": "Ada Lovelace"}


ROUNDS = 5


def ops_per_second(fn: Callable[[], Any], seconds: float) -> float:
    n = 0
    batch = 64
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            fn()
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def measure_all(fns: Dict[str, Callable[[], Any]], seconds: float) -> Dict[str, float]:
    """Ops/s of each contender: ROUNDS interleaved rounds of seconds/ROUNDS each after a short
    warm-up, the median per contender (every contender sees the same machine state)."""
    for fn in fns.values():
        ops_per_second(fn, 0.1)
    samples: Dict[str, List[float]] = {name: [] for name in fns}
    for _ in range(ROUNDS):
        for name, fn in fns.items():
            samples[name].append(ops_per_second(fn, seconds / ROUNDS))
    return {name: statistics.median(xs) for name, xs in samples.items()}


def contenders(alg: str, seconds: float) -> Dict[str, Dict[str, float]]:
    store = authjwt.MemoryStore()
    issuer = authjwt.Issuer(
        key_pair_config={"alg": alg},
        disable_private_key_encryption=True,  # the row's private key column is the private JWK
        issuer=ISS,
        audience=AUD,
        expiration_time="15m",
        store=store,
    )
    token = issuer.sign(USER)  # creates and loads the key
    [row] = store.get_jwks()
    private_jwk: Dict[str, Any] = json.loads(row.private_key)
    kid = row.id
    keys = authjwt.KeySet.from_jwks(issuer.jwks())
    now = int(time.time())
    claims = dict(USER, iat=now, iss=ISS, aud=AUD, exp=now + 900)
    assert len(json.dumps(claims, separators=(",", ":"))) in range(150, 260)

    # PyJWT: cryptography key objects imported once.
    family = {"EdDSA": pyjwt.algorithms.OKPAlgorithm, "ES256": pyjwt.algorithms.ECAlgorithm}.get(
        alg, pyjwt.algorithms.RSAAlgorithm
    )
    py_priv = family.from_jwk(json.dumps(private_jwk))
    py_pub = py_priv.public_key()
    py_token = pyjwt.encode(claims, py_priv, algorithm=alg, headers={"kid": kid})

    # joserfc: its key objects imported once; it names Ed25519 EdDSA here too.
    jose_cls = {"EdDSA": OKPKey, "ES256": ECKey}.get(alg, RSAKey)
    jose_key = jose_cls.import_key(private_jwk)
    jose_token = jose_jwt.encode({"alg": alg, "kid": kid}, claims, jose_key, algorithms=[alg])
    registry = jose_jwt.JWTClaimsRegistry(iss={"essential": True, "value": ISS}, aud={"essential": True, "value": AUD})

    def jose_verify() -> None:
        registry.validate(jose_jwt.decode(jose_token, jose_key, algorithms=[alg]).claims)

    for t in (py_token, jose_token):  # all three verify each other's tokens
        authjwt.verify_jwt(t, keys, issuer=ISS, audience=AUD)

    out = {
        "sign": measure_all(
            {
                "authjwt": lambda: issuer.sign(USER),
                "PyJWT": lambda: pyjwt.encode(claims, py_priv, algorithm=alg, headers={"kid": kid}),
                "joserfc": lambda: jose_jwt.encode({"alg": alg, "kid": kid}, claims, jose_key, algorithms=[alg]),
            },
            seconds,
        ),
        "verify": measure_all(
            {
                "authjwt": lambda: authjwt.verify_jwt(token, keys, issuer=ISS, audience=AUD),
                "PyJWT": lambda: pyjwt.decode(py_token, py_pub, algorithms=[alg], audience=AUD, issuer=ISS),
                "joserfc": jose_verify,
            },
            seconds,
        ),
    }
    return out


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory(n: int) -> None:
    issuer = authjwt.Issuer(secret="bench secret value, 32 characters or more", issuer=ISS, audience=AUD)
    keys = authjwt.KeySet.from_jwks(issuer.jwks())
    for _ in range(10_000):  # warm up allocator and caches
        authjwt.verify_jwt(issuer.sign(USER), keys, audience=AUD)
    start = rss_mib()
    print(f"RSS after warm-up: {start:.1f} MiB")
    for i in range(1, n + 1):
        authjwt.verify_jwt(issuer.sign(USER), keys, audience=AUD)
        if i % (n // 4 or 1) == 0:
            print(f"after {i:,} sign+verify: RSS {rss_mib():.1f} MiB")
    print(f"RSS growth over {n:,} calls: {rss_mib() - start:+.1f} MiB")


def main() -> None:
    warnings.simplefilter("ignore")  # joserfc warns that "EdDSA" is deprecated by RFC 9864
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0, help="time per contender and operation, split over the rounds")
    parser.add_argument("--memory", type=int, default=0, metavar="N",
                        help="instead: N EdDSA sign+verify calls, printing RSS at start and end")
    args = parser.parse_args()
    if args.memory:
        return memory(args.memory)
    rows: List[Tuple[str, str, Dict[str, float]]] = []
    for alg in ("EdDSA", "ES256", "RS256"):
        for op, figures in contenders(alg, args.seconds).items():
            rows.append((alg, op, figures))

    print(f"authjwt {authjwt.__version__} Python benchmark, {dt.date.today()}, "
          f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores), Python {platform.python_version()}, "
          f"PyJWT {pyjwt.__version__}, single thread, ops/s (median of {ROUNDS} interleaved rounds)\n")
    print("| alg | op | authjwt | PyJWT | joserfc | authjwt / best peer |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for alg, op, f in rows:
        best_peer = max(f["PyJWT"], f["joserfc"])
        print(
            f"| {alg} | {op} | {f['authjwt']:,.0f} | {f['PyJWT']:,.0f} | {f['joserfc']:,.0f} | "
            f"{f['authjwt'] / best_peer:.2f}x |"
        )


if __name__ == "__main__":
    main()
