"""Memory check (a program, never a test): N (default 1,000,000) EdDSA sign+verify calls in one
Python process, printing RSS at start and end; the last line is one JSON object for bench/run.sh.

    python bench/memory.py [N]
"""

from __future__ import annotations

import json
import os
import sys
import time

import authjwt

ISS = "https://auth.example.com"
AUD = "https://api.example.com"
NOW = int(time.time())
PAYLOAD = {
    "sub": "user_2NfTq7XJ9kLm4PzR8wYc",
    "email": "ada.lovelace@example.com",
    "name": "Ada Lovelace",
    "iat": NOW,
    "iss": ISS,
    "aud": AUD,
    "exp": NOW + 3600,
}


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    issuer = authjwt.Issuer(
        store=authjwt.MemoryStore(),
        disable_private_key_encryption=True,
        issuer=ISS,
        audience=AUD,
    )
    keys = authjwt.KeySet.from_jwks(issuer.jwks())
    sign, verify = issuer.sign, authjwt.verify_jwt
    for _ in range(10_000):  # warm up the allocator
        verify(sign(PAYLOAD), keys, issuer=ISS, audience=AUD)
    start = rss_mib()
    print(f"RSS after warm-up: {start:.1f} MiB", flush=True)
    t0 = time.perf_counter()
    for i in range(1, n + 1):
        verify(sign(PAYLOAD), keys, issuer=ISS, audience=AUD)
        if i % (n // 4 or 1) == 0:
            print(f"after {i:,} sign+verify: RSS {rss_mib():.1f} MiB", flush=True)
    end = rss_mib()
    print(json.dumps({"calls": n, "rss_start_mib": start, "rss_end_mib": end,
                      "seconds": time.perf_counter() - t0}))


if __name__ == "__main__":
    main()
