"""The floor for bench/sync.py: the least a Litestar server can do with an audit PUT.

One route, `PUT /api/audits/{audit_id}`: read the body, keep it in a SQLite table (WAL,
synchronous=NORMAL, as Genba's store), answer 201 for a new id and 200 for one already kept.
No auth, no parsing, no validation, no scoring, no event log. Served by uvicorn exactly as
`genba serve` serves Genba (same host, same log level, so the access log costs both the same).

    python bench/floor_app.py --port 8001 --db /tmp/floor.db
"""

from __future__ import annotations

import argparse
import sqlite3

from litestar import Litestar, Request, Response, put


def create_floor_app(db_path: str) -> Litestar:
    conn = sqlite3.connect(db_path, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("create table if not exists audits (id text primary key, body blob not null)")
    conn.commit()

    # async and inline: one connection, used only from the event loop's thread.
    @put("/api/audits/{audit_id:str}", status_code=201)
    async def put_audit(request: Request, audit_id: str) -> Response[dict]:
        body = await request.body()
        with conn:
            cursor = conn.execute(
                "insert or ignore into audits (id, body) values (?, ?)", (audit_id, body)
            )
        created = cursor.rowcount == 1
        return Response({"id": audit_id, "created": created}, status_code=201 if created else 200)

    return Litestar(route_handlers=[put_audit], on_shutdown=[conn.close])


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True, help="SQLite file to keep the bodies in")
    parser.add_argument("--log-level", default="info", help="uvicorn's (genba serve uses info)")
    args = parser.parse_args()
    app = create_floor_app(args.db)
    print(f"floor serving on http://{args.host}:{args.port}/", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
