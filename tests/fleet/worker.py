"""One fleet worker process (kind ``python``): ``instances`` AsyncRemoteKeySets, each with its own
authjwt.redis shared cache on one key, verifying fresh tokens until ``durationMs`` is over. The
protocol is worker.mjs's (see run.mjs): config JSON as the last argument; prints {"ready": true},
waits for a ``go`` line on stdin, runs, prints one {"report": true, ...} line and exits 0."""

from __future__ import annotations

import asyncio
import json
import sys
import time
import urllib.request
from typing import Any, Dict, List

import redis.asyncio

from authjwt import AsyncRemoteKeySet
from authjwt.redis import AsyncRedisJwksCache


def fetch_token(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return str(answer.read().decode())


async def main() -> None:
    config: Dict[str, Any] = json.loads(sys.argv[-1])
    client = redis.asyncio.Redis.from_url(config["redisUrl"])
    events: Dict[str, int] = {}

    def on_event(event: Dict[str, Any]) -> None:
        events[event["type"]] = events.get(event["type"], 0) + 1

    sets = [
        AsyncRemoteKeySet(
            config["jwksUrl"],
            cache_min_age=config["cacheMinAgeMs"] / 1000,
            cache=AsyncRedisJwksCache(client, key=config["cacheKey"]),
            on_event=on_event,
        )
        for _ in range(config["instances"])
    ]
    print(json.dumps({"ready": True}), flush=True)
    await asyncio.to_thread(sys.stdin.readline)

    verified = failed = 0
    failures: List[Dict[str, Any]] = []
    token = await asyncio.to_thread(fetch_token, config["tokenUrl"])
    end = time.monotonic() + config["durationMs"] / 1000
    next_token = time.monotonic() + config["tokenEveryMs"] / 1000
    while time.monotonic() < end:
        if time.monotonic() >= next_token:
            token = await asyncio.to_thread(fetch_token, config["tokenUrl"])
            next_token = time.monotonic() + config["tokenEveryMs"] / 1000
        results = await asyncio.gather(*(s.verify(token) for s in sets), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                failed += 1
                if len(failures) < 5:
                    failures.append({"code": getattr(result, "code", None), "message": str(result)})
            else:
                verified += 1
        await asyncio.sleep(config["verifyEveryMs"] / 1000)

    report = {
        "report": True,
        "workerId": config["workerId"],
        "kind": "python",
        "instances": config["instances"],
        "verified": verified,
        "failed": failed,
        "failures": failures,
        "events": events,
    }
    print(json.dumps(report), flush=True)
    await client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
