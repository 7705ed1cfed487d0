"""Exit 0 when the PostgreSQL server in argv[1] (a database URL) accepts a connection, else 1."""

import sys

import psycopg

try:
    with psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=5) as conn:
        conn.execute("SELECT 1")
except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
sys.exit(0)
