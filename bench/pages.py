"""Does a page of GET /api/audits cost the same with a million audits as with a thousand?

Fills a data dir with synthetic audit rows (straight SQL: this measures reading, not
writing), then times the same page queries the API runs, first page and deep pages, at
10,000 and at 1,000,000 audits, and prints the ratio. Run: .venv/bin/python bench/pages.py
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.audits.views import list_audits  # noqa: E402
from server.core.db import Store  # noqa: E402
from server.people.users import User  # noqa: E402

ZONES = [f"zone-{n}" for n in range(40)]
STATUSES = ["draft", "submitted", "returned", "approved"]
MONTHS = [f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)]
SUPERVISOR = User(id=1, username="s", name="s", role="supervisor")
SCORE = '{"percent":null,"earned":0,"possible":0,"band":null,"sections":{},"capped_by":[]}'


def fill(store: Store, count: int) -> None:
    rng = random.Random(count)
    body = '{"checklist_id":"6s-zone","checklist_version":1,"zone_id":"z","answers":{},'
    body += '"started_at":"2026-01-01T00:00:00Z","submitted_at":null,"status":"submitted"}'
    # Synthetic rows name no real zones or users; the pragma only works outside a transaction.
    store.write_connection().execute("pragma foreign_keys = off")
    with store.write() as db:
        rows = (
            (
                f"{n:032x}",
                rng.choice(ZONES),
                "site",
                rng.randint(1, 30),
                rng.choice(STATUSES),
                month,
                body,
                SCORE,
            )
            for n, month in enumerate(sorted(rng.choice(MONTHS) for _ in range(count)))
        )
        db.conn.executemany(
            "insert into audits (id, zone_id, site_id, officer_id, status, month, body, score,"
            " revision, complete) values (?, ?, ?, ?, ?, ?, ?, ?, 1, 1)",
            rows,
        )


def timed(store: Store, filters: dict, pages: int) -> tuple[float, float]:
    """(ms for the first page, ms per page for the next `pages` pages)."""
    start = time.perf_counter()
    page = list_audits(store, SUPERVISOR, filters, None, 50)
    first = (time.perf_counter() - start) * 1000
    cursor, times = page.next_cursor, []
    for _ in range(pages):
        if cursor is None:
            break
        start = time.perf_counter()
        page = list_audits(store, SUPERVISOR, filters, cursor, 50)
        times.append((time.perf_counter() - start) * 1000)
        cursor = page.next_cursor
    return first, statistics.median(times) if times else float("nan")


def run(sizes: list[int], pages: int) -> None:
    cases = {
        "no filter": {},
        "zone": {"zone_id": "zone-7"},
        "status": {"status": "approved"},
        "zone+month": {"zone_id": "zone-7", "month": "2026-03"},
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            store = Store(Path(folder) / "genba.db")
            began = time.perf_counter()
            fill(store, size)
            print(f"filled {size:,} audits in {time.perf_counter() - began:.1f} s")
            for name, filters in cases.items():
                results[name].append(timed(store, filters, pages))
            store.close()
    print(f"\n{'filter':<12}" + "".join(f"{f'{s:,} first/deep ms':>26}" for s in sizes) + "  ratio")
    for name, figures in results.items():
        cells = "".join(f"{first:>14.2f} / {deep:>8.2f}" for first, deep in figures)
        ratio = figures[-1][1] / figures[0][1] if figures[0][1] else float("nan")
        print(f"{name:<12}{cells}  {ratio:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--pages", type=int, default=10, help="deep pages timed after the first")
    args = parser.parse_args()
    run(args.sizes, args.pages)


if __name__ == "__main__":
    main()
