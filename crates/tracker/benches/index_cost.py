#!/usr/bin/env python3
"""What each secondary index of `events` costs on SQLite (WAL, synchronous=FULL).

Inserts N rows (1,000 per transaction, INSERT ... ON CONFLICT DO NOTHING) into
the tracker's own schema (migrations/sqlite/0001_init.sql) with and without the
secondary indexes, through Python's sqlite3 (so absolute numbers include
Python's per-row cost; compare the rows with each other).

    python3 crates/tracker/benches/index_cost.py [N] [DIR]
"""
import os
import sqlite3
import sys
import tempfile
import time
import uuid

N = int(sys.argv[1]) if len(sys.argv) > 1 else 150_000
DIR = sys.argv[2] if len(sys.argv) > 2 else tempfile.gettempdir()
HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = open(os.path.join(HERE, "..", "migrations", "sqlite", "0001_init.sql")).read()
SQL = ("INSERT INTO events (org_id, event_id, learner, package_id, package_version, edition, verb, "
       "score, duration_s, occurred_at, received_at, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
       "ON CONFLICT (org_id, event_id) DO NOTHING")

for name, drop in [
    ("all indexes (as shipped)", []),
    ("without (org_id, learner)", ["events_org_learner"]),
    ("without occurred_at", ["events_occurred"]),
    ("unique (org_id, event_id) only", ["events_org_learner", "events_occurred"]),
]:
    path = os.path.join(DIR, f"index-cost-{uuid.uuid4().hex}.db")
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=FULL")
    c.executescript(SCHEMA)
    for d in drop:
        c.execute(f"DROP INDEX {d}")
    c.execute("INSERT INTO organisations (code, name_en, name_cy, kind, region, pseudonym_secret, created_at) "
              "VALUES ('x', 'x', 'x', 'other', 'x', '00', 0)")
    learners = [os.urandom(32).hex() for _ in range(5000)]  # HMAC-SHA256 hex, 5,000 learners
    rows = [(1, str(uuid.uuid4()), learners[i % 5000], "pecyn_passwords_en_standard_scorm12", "1.0.0",
             None, "completed", 80.0, 600, 1_700_000_000_000 + i * 7, 1_700_000_000_000 + i * 7, "api")
            for i in range(N)]
    t = time.time()
    for k in range(0, N, 1000):
        c.execute("BEGIN")
        c.executemany(SQL, rows[k:k + 1000])
        c.execute("COMMIT")
    e = time.time() - t
    print(f"{name:34} {N / e:8.0f} rows/s")
    c.close()
    for f in (path, path + "-wal", path + "-shm"):
        if os.path.exists(f):
            os.remove(f)
