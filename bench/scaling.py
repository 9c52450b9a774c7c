"""Many cores, Python (a program that prints figures, never a test).

1. 1, 2 and 4 threads calling the sync ``verify_jwt`` (EdDSA and ES256) for BENCH_SECONDS
   (default 2) together; ops/s summed over the threads. The GIL is released around the core's
   work, so threads beyond one only help if it really is.
2. ``asyncio.gather`` of 10,000 ``AsyncIssuer.verify`` calls.

Each figure is the median of ROUNDS (default 3) interleaved rounds, with the load average and the
CPU time the process got (cores = CPU time / wall time) beside it, as the machine may be shared.

    .cache/python-bench/bin/python bench/scaling.py
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import statistics
import sys
import threading
import time
from typing import Any, Dict, List

import authjwt

ISS = "https://auth.example.com"
AUD = "https://api.example.com"
PAYLOAD = {"sub": "user_2NfTq7XJ9kLm4PzR8wYc", "email": "ada.lovelace@example.com", "name": "Ada Lovelace"}
SECONDS = float(os.environ.get("BENCH_SECONDS", "2"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
GATHERED = 10_000


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


CONTROL_BUFFER = bytes(64 * 1024)


def threads_round(count: int, token: str, keys: authjwt.KeySet, control: bool = False) -> Dict[str, float]:
    """``control``: hashlib's SHA-256 of 64 KiB, which releases the GIL, instead of verify_jwt: what
    threads can gain on this machine at this moment."""
    counts = [0] * count
    start = threading.Barrier(count + 1)

    def once() -> None:
        if control:
            hashlib.sha256(CONTROL_BUFFER).digest()
        else:
            authjwt.verify_jwt(token, keys, issuer=ISS, audience=AUD)

    def work(i: int) -> None:
        start.wait()
        deadline = time.perf_counter() + SECONDS
        n = 0
        while time.perf_counter() < deadline:
            for _ in range(50):
                once()
            n += 50
        counts[i] = n

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    cpu0, t0 = time.process_time(), time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"ops": sum(counts) / wall, "cores": (time.process_time() - cpu0) / wall}


async def gather_round(issuer: authjwt.AsyncIssuer, token: str) -> Dict[str, float]:
    cpu0, t0 = time.process_time(), time.perf_counter()
    results = await asyncio.gather(*(issuer.verify(token, issuer=ISS, audience=AUD) for _ in range(GATHERED)))
    wall = time.perf_counter() - t0
    if len(results) != GATHERED or results[0].payload["sub"] != PAYLOAD["sub"]:
        raise SystemExit("a verify went wrong")
    return {"ops": GATHERED / wall, "ms": wall * 1000, "cores": (time.process_time() - cpu0) / wall}


def pick(samples: List[Dict[str, Any]]) -> Dict[str, Any]:
    ops = statistics.median_low([s["ops"] for s in samples])
    return next(s for s in samples if s["ops"] == ops)


def main() -> None:
    print(f"Python {sys.version.split()[0]}, scaling (median of {ROUNDS} rounds, {SECONDS:g} s per thread figure)")
    print()
    print("| alg | what | ops/s | vs 1 | cores used | load average |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    out: Dict[str, Any] = {}
    for alg in ("EdDSA", "ES256"):
        store = authjwt.MemoryStore()
        sync_issuer = authjwt.Issuer(store=store, disable_private_key_encryption=True,
                                     key_pair_config={"alg": alg}, issuer=ISS, audience=AUD)
        token = sync_issuer.sign(PAYLOAD)
        keys = authjwt.KeySet.from_jwks(sync_issuer.jwks())
        async_issuer = authjwt.AsyncIssuer(store=store, disable_private_key_encryption=True,
                                           key_pair_config={"alg": alg}, issuer=ISS, audience=AUD)
        samples: Dict[str, List[Dict[str, Any]]] = {"1": [], "2": [], "4": [], "gather": [], "c1": [], "c2": []}

        async def gathers() -> None:
            await gather_round(async_issuer, token)  # warm
            for r in range(ROUNDS):
                for count in (1, 2, 4):
                    l = load()
                    samples[str(count)].append(dict(threads_round(count, token, keys), load=l))
                l = load()
                samples["gather"].append(dict(await gather_round(async_issuer, token), load=l))
                if alg == "EdDSA":
                    for count in (1, 2):
                        l = load()
                        samples[f"c{count}"].append(dict(threads_round(count, token, keys, control=True), load=l))

        asyncio.run(gathers())
        one = pick(samples["1"])
        for count in (1, 2, 4):
            s = pick(samples[str(count)])
            print(f"| {alg} | verify_jwt, {count} thread{'s' if count > 1 else ''} | {s['ops']:.0f} | "
                  f"{s['ops'] / one['ops']:.2f}x | {s['cores']:.2f} | {s['load']} |")
        g = pick(samples["gather"])
        print(f"| {alg} | asyncio.gather of {GATHERED} AsyncIssuer.verify ({g['ms']:.0f} ms) | {g['ops']:.0f} | "
              f"{g['ops'] / one['ops']:.2f}x | {g['cores']:.2f} | {g['load']} |")
        if alg == "EdDSA":
            c1, c2 = pick(samples["c1"]), pick(samples["c2"])
            for count, c in ((1, c1), (2, c2)):
                print(f"| - | control: hashlib.sha256 of 64 KiB, {count} thread{'s' if count > 1 else ''} | "
                      f"{c['ops']:.0f} | {c['ops'] / c1['ops']:.2f}x | {c['cores']:.2f} | {c['load']} |")
        out[alg] = {k: pick(v) for k, v in samples.items() if v}
    print()
    print('"vs 1": ops/s over the 1-thread figure; "cores used": process CPU time / wall time. The control rows '
          "show what threads can gain on this machine at this moment (other processes share the cores).")
    if os.environ.get("SCALING_JSON"):
        with open(os.environ["SCALING_JSON"], "w") as f:
            json.dump(out, f)


if __name__ == "__main__":
    main()
