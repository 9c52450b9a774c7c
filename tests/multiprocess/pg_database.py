"""A throwaway database on the suite's PostgreSQL cluster (PGHOST/PGPORT), with the jwks table of
examples/stores/schema.sql, dropped on exit: shared by the example store checks."""

from __future__ import annotations

import contextlib
import os
import pathlib
import uuid
from typing import Iterator

import psycopg

ROOT = pathlib.Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """Yields the conninfo of a new database named `prefix_<random>` holding an empty jwks table."""
    base = f"host={os.environ['PGHOST']} port={os.environ['PGPORT']} user=postgres"
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{base} dbname=postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    conninfo = f"{base} dbname={name}"
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute((ROOT / "examples" / "stores" / "schema.sql").read_text())
        yield conninfo
    finally:
        with psycopg.connect(f"{base} dbname=postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
