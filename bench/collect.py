"""Collects the outputs of one bench/run.sh run into bench/RESULTS.md: one table of authjwt against
its peers and the targets of the performance issue, then the binding overhead, store issuing,
thread-pool scaling and memory figures, then each program's own output.

    python3 bench/collect.py OUT_DIR RESULTS.md

OUT_DIR holds rust.json (core/examples/bench_core.rs), node.md (npm/bench/bench.mjs), python.md
(python/bench/bench.py), node-conc-1.json / node-conc-2.json and node-memory.log / python-memory.log
(bench/node-extra.mjs, bench/memory.py). A missing or failed part shows as n/a.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

ALGS = ("EdDSA", "ES256", "RS256")
# (row label, peer label, {(op, alg): minimum ratio}) from the table.
TARGETS = {
    "node-sync": {("sign", "EdDSA"): 2.5, ("verify", "EdDSA"): 2.0, ("sign", "ES256"): 1.5,
                  ("verify", "ES256"): 1.3, ("sign", "RS256"): 1.0, ("verify", "RS256"): 1.2},
    "node-async": {("sign", "EdDSA"): 3.0, ("verify", "EdDSA"): 3.0, ("sign", "ES256"): 2.0,
                   ("verify", "ES256"): 2.0, ("sign", "RS256"): 1.2, ("verify", "RS256"): 1.5},
    "python": {("sign", "EdDSA"): 2.0, ("verify", "EdDSA"): 2.5, ("sign", "ES256"): 1.5,
               ("verify", "ES256"): 1.5, ("sign", "RS256"): 1.0, ("verify", "RS256"): 1.5},
}


def tables(text: str) -> List[List[Dict[str, str]]]:
    """Every Markdown table in `text`, as rows keyed by header cell."""
    out: List[List[Dict[str, str]]] = []
    header: Optional[List[str]] = None
    rows: List[Dict[str, str]] = []
    for line in text.splitlines() + [""]:
        line = line.strip()
        if line.startswith("|") and line.endswith("|"):
            cells = [c.strip() for c in line[1:-1].split("|")]
            if header is None:
                header = cells
            elif all(re.fullmatch(r":?-+:?", c) for c in cells):
                continue
            else:
                rows.append(dict(zip(header, cells)))
        elif header is not None:
            out.append(rows)
            header, rows = None, []
    return out


def num(cell: Optional[str]) -> Optional[float]:
    if cell is None:
        return None
    m = re.search(r"-?[\d,]+(\.\d+)?", cell)
    if not m:
        return None
    try:
        return float(m.group(0).replace(",", ""))
    except ValueError:
        return None


def read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
            if isinstance(value, dict):
                return value
        except ValueError:
            continue
    return {}


def fmt(v: Optional[float]) -> str:
    if v is None or v <= 0:
        return "n/a"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a and b else None


def verdict(r: Optional[float], target: float) -> str:
    if r is None:
        return "n/a"
    return "met" if r >= target else "**missed**"


def cpu_model() -> str:
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return "unknown CPU"
    m = re.search(r"^Model name:\s*(.+)$", text, re.M)
    cores = re.search(r"^CPU\(s\):\s*(\d+)", text, re.M)
    model = m.group(1).strip() if m else "unknown CPU"
    return f"{model}, {cores.group(1)} CPUs" if cores else model


def main() -> None:
    out_dir, results = Path(sys.argv[1]), Path(sys.argv[2])
    rust = json.loads(read(out_dir / "rust.json") or "{}")
    rust_rows = {r["alg"]: r for r in rust.get("rows", [])}
    node_text, py_text = read(out_dir / "node.md"), read(out_dir / "python.md")

    node: Dict[tuple, Dict[str, Optional[float]]] = {}
    store: Dict[str, Optional[float]] = {}
    for table in tables(node_text):
        for row in table:
            if "op" in row and "alg" in row:
                node[(row["op"], row["alg"])] = {k: num(v) for k, v in row.items()}
            first = next(iter(row.values()), "")
            tokens = num(row.get("tokens/s"))
            if "better-auth" in first and "signJWT" in first:
                store["better-auth"] = tokens
            elif "signSync" in first:
                store["signSync"] = tokens
            elif "sign" in first and "authjwt" in first:
                store["sign"] = tokens
    python: Dict[tuple, Dict[str, Optional[float]]] = {}
    for table in tables(py_text):
        for row in table:
            if "op" in row and "alg" in row:
                python[(row["op"], row["alg"])] = {k: num(v) for k, v in row.items()}

    lines = [
        "# authjwt benchmark results",
        "",
        f"Run of `bench/run.sh` on {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{cpu_model()}, load average at start {read(out_dir / 'load.txt').strip() or 'n/a'}. "
        "Single thread unless said; ops/s; every ratio is from this one run. Node and Python "
        "figures are medians of 5 rounds that interleave the contenders. "
        "Payload: ~200 bytes (sub, email, name, iat, iss, aud, exp); keys already loaded/imported.",
        "",
        "## authjwt against the peers and the targets",
        "",
        "| host | op | alg | authjwt | peer | peer ops/s | ratio | target | | ceiling |",
        "| --- | --- | --- | ---: | --- | ---: | ---: | ---: | --- | ---: |",
    ]
    summary = {"met": 0, "missed": 0}

    def add(host: str, op: str, alg: str, mine: Optional[float], peer: str,
            theirs: Optional[float], target: float) -> None:
        r = ratio(mine, theirs)
        v = verdict(r, target)
        if v != "n/a":
            summary["met" if v == "met" else "missed"] += 1
        raw = rust_rows.get(alg, {}).get("raw_sign" if "sign" in op.lower() else "raw_verify")
        ceiling = ratio(raw, theirs)
        lines.append(f"| {host} | {op} | {alg} | {fmt(mine)} | {peer} | {fmt(theirs)} | "
                     f"{f'{r:.2f}x' if r else 'n/a'} | >= {target}x | {v} | "
                     f"{f'{ceiling:.2f}x' if ceiling else 'n/a'} |")

    for op in ("sign", "verify"):
        for alg in ALGS:
            row = node.get((op, alg), {})
            add("Node", f"{op}Sync", alg, row.get("authjwt sync"), "fast-jwt", row.get("fast-jwt"),
                TARGETS["node-sync"][(op, alg)])
    for op in ("sign", "verify"):
        for alg in ALGS:
            row = node.get((op, alg), {})
            add("Node", "await sign" if op == "sign" else "await jwtVerify", alg,
                row.get("authjwt async"), "jose", row.get("jose"), TARGETS["node-async"][(op, alg)])
    for op in ("sign", "verify"):
        for alg in ALGS:
            row = python.get((op, alg), {})
            peers = [(row.get("PyJWT"), "PyJWT"), (row.get("joserfc"), "joserfc")]
            best = max(peers, key=lambda p: p[0] or 0)
            add("Python", "Issuer.sign" if op == "sign" else "verify_jwt", alg, row.get("authjwt"),
                best[1] if best[0] else "best peer", best[0], TARGETS["python"][(op, alg)])

    lines += [
        "",
        "ceiling = the raw aws-lc primitive (Rust, same run, no JWT work at all) over the peer: the "
        "ratio authjwt would reach with zero overhead. A target above its ceiling cannot be met by "
        "removing overhead; only a faster primitive would do.",
    ]
    core_sign = rust_rows.get("EdDSA", {}).get("sign_json_with_cached_key")
    node_sign = node.get(("sign", "EdDSA"), {}).get("authjwt sync")
    py_sign = python.get(("sign", "EdDSA"), {}).get("authjwt")
    lines += [
        "",
        "## Binding overhead (EdDSA sign, target >= 60% of the core's own Rust loop)",
        "",
        "| | ops/s | % of Rust `sign_json_with_cached_key` | |",
        "| --- | ---: | ---: | --- |",
        f"| Rust core loop `Issuer::sign_json_with_cached_key` | {fmt(core_sign)} | 100% | |",
    ]
    for label, v in (("Node `signSync`", node_sign), ("Python `Issuer.sign`", py_sign)):
        r = ratio(v, core_sign)
        v_ = verdict(r, 0.6)
        if v_ != "n/a":
            summary["met" if v_ == "met" else "missed"] += 1
        lines.append(f"| {label} | {fmt(v)} | {f'{r:.0%}' if r else 'n/a'} | {v_} |")

    ba = store.get("better-auth")
    lines += [
        "",
        "## Issuing through a store (Node, EdDSA, sealed keys, JS store callback)",
        "",
        "| | tokens/s | vs better-auth | target | |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| better-auth `auth.api.signJWT` (memory adapter) | {fmt(ba)} | 1.00x | | |",
    ]
    for label, key, target in (("authjwt `await issuer.sign`", "sign", 15.0),
                               ("authjwt `issuer.signSync`", "signSync", 25.0)):
        r = ratio(store.get(key), ba)
        v_ = verdict(r, target)
        if v_ != "n/a":
            summary["met" if v_ == "met" else "missed"] += 1
        lines.append(f"| {label} | {fmt(store.get(key))} | {f'{r:.1f}x' if r else 'n/a'} | "
                     f">= {target:.0f}x | {v_} |")

    c1 = last_json(read(out_dir / "node-conc-1.json"))
    c2 = last_json(read(out_dir / "node-conc-2.json"))
    lines += [
        "",
        "## Concurrent async sign in Node (64 calls in flight; napi-rs tokio pool size)",
        "",
        "| alg | 1 worker | 2 workers | scaling | CPU cores used (1 / 2 workers) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for alg in ("EdDSA", "RS256"):
        a, b = c1.get(alg), c2.get(alg)
        r = ratio(b, a)
        k1, k2 = c1.get(f"{alg}_cores"), c2.get(f"{alg}_cores")
        cores = f"{k1:.2f} / {k2:.2f}" if k1 is not None and k2 is not None else "n/a"
        lines.append(f"| {alg} | {fmt(a)} | {fmt(b)} | {f'{r:.2f}x' if r else 'n/a'} | {cores} |")
    lines += [
        "",
        "EdDSA and ES256 `sign` run inline on the JS thread when the key is cached (a thread hop costs "
        "more than the signature), so they do not use the pool; RS256 calls arriving in the same tick "
        "go to the pool. \"CPU cores used\" is process CPU time over wall time: below 2 with 2 "
        "workers means the machine did not give the process a second core.",
    ]

    lines += [
        "",
        "## Memory: EdDSA sign+verify calls in one process (RSS)",
        "",
        "| host | calls | RSS at start (after warm-up) | after 1/4 of the calls | at end | growth, last 3/4 | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for host, file in (("Node", "node-memory.log"), ("Python", "python-memory.log")):
        text = read(out_dir / file)
        m = last_json(text)
        marks = [float(x) for x in re.findall(r"^after [\d,]+ sign\+verify: RSS ([\d.]+) MiB", text, re.M)]
        s, e = m.get("rss_start_mib"), m.get("rss_end_mib")
        if s is None or e is None:
            lines.append(f"| {host} | n/a | n/a | n/a | n/a | n/a | n/a |")
            continue
        q = marks[0] if marks else None
        steady = f"{e - q:+.1f} MiB" if q is not None else "n/a"
        lines.append(f"| {host} | {m.get('calls', 0):,} | {s:.1f} MiB | "
                     f"{f'{q:.1f} MiB' if q is not None else 'n/a'} | {e:.1f} MiB | {steady} | "
                     f"{m.get('seconds', 0):.0f} |")

    lines += ["", f"Targets: {summary['met']} met, {summary['missed']} missed.", ""]
    # Cold start and scaling: the programs print their own tables (with the load beside them).
    for title, files in (("Cold start (`bench/cold-start.mjs`, `bench/cold_start.py`)",
                          ("node-cold-start.md", "python-cold-start.md")),
                         ("Many cores (`bench/scaling.mjs`, `bench/scaling.py`, `bench/kotlin`)",
                          ("node-scaling.md", "python-scaling.md", "kotlin-scaling.md")),
                         ("Remote key sets (`bench/remote-fetches.mjs`)", ("remote-fetches.md",))):
        lines += [f"## {title}", ""]
        for file in files:
            lines += [read(out_dir / file).strip() or f"({file}: no output)", ""]
    lines += ["## Raw outputs", ""]
    for title, file in (("Rust core loop (`core/examples/bench_core.rs`)", "rust.md"),
                        ("Node (`npm/bench/bench.mjs`)", "node.md"),
                        ("Python (`python/bench/bench.py`)", "python.md")):
        lines += [f"### {title}", "", read(out_dir / file).strip() or "(no output)", ""]
    results.write_text("\n".join(lines))
    print(f"targets: {summary['met']} met, {summary['missed']} missed; wrote {results}")


if __name__ == "__main__":
    main()
