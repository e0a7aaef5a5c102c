"""Where an audit with a photo spends its CPU: per request kind and per image step.

    .venv/bin/python bench/intake_cpu.py            # 300 of each request, about a minute
    .venv/bin/python bench/intake_cpu.py --count 100

One device, one request at a time, against the real server (`genba serve --demo`) on a free
port. For each kind of request the server's own CPU time (from /proc) and the client's are
divided by the count, so the figures hold whatever else the machine runs, within its drift.
Then the image steps of a new photo, timed in this process on the same photos. What
docs/scale.md, "Photo intake", reads to explain the p95 at eight in flight.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from loadgen import TABLET_NOISE, photo_pool  # noqa: E402
from sync import free_port, genba_server, make_plans, sign_in  # noqa: E402

from server.photos import images  # noqa: E402
from server.photos.jpeg import strip_jpeg  # noqa: E402

JSON = {"Content-Type": "application/json"}
JPEG = {"Content-Type": "image/jpeg"}


def per_request(server, client: httpx.Client, label: str, count: int, send: Callable) -> None:
    server_cpu, client_cpu, start = server.cpu_seconds(), time.process_time(), time.perf_counter()
    for index in range(count):
        response = send(index)
        if response.status_code >= 300:
            raise SystemExit(f"{label}: HTTP {response.status_code} {response.text[:300]}")
    wall = time.perf_counter() - start
    server_ms = (server.cpu_seconds() - server_cpu) / count * 1000
    client_ms = (time.process_time() - client_cpu) / count * 1000
    print(f"  {label:<40} {server_ms:7.2f} {client_ms:9.2f} {wall / count * 1000:8.2f}")


def over_http(count: int, photos: list[tuple[str, bytes]]) -> None:
    work = Path(tempfile.mkdtemp(prefix="genba-intake-cpu-"))
    server = genba_server(work / "data", free_port(), work / "server.log").start()
    try:
        headers = sign_in(server, 1)[0]
        with httpx.Client(
            base_url=server.base, headers=headers, timeout=60, trust_env=False
        ) as client:
            bootstrap = client.get("/api/bootstrap").json()
            with_photo = make_plans(bootstrap, 1, count, photos, 1, False)[0]
            bare = make_plans(bootstrap, 1, count, [], 0, False)[0]

            def photo(index: int) -> httpx.Response:
                sha, data = with_photo[index].photos[0]
                return client.put(f"/api/photos/{sha}", content=data, headers=JPEG)

            def audit(plan):
                return lambda i: client.put(
                    f"/api/audits/{plan[i].id}", content=plan[i].body, headers=JSON
                )

            client.get("/api/me")
            print(f"\n== Per request, one at a time, {count} of each (CPU ms per request) ==")
            print(f"  {'request':<40} {'server':>7} {'client':>9} {'wall':>8}")
            per_request(server, client, "GET /api/me (the framework's floor)", count,
                        lambda i: client.get("/api/me"))  # fmt: skip
            per_request(server, client, "audit PUT, new (49 answers)", count, audit(bare))
            per_request(server, client, "audit PUT, replayed", count, audit(bare))
            per_request(server, client, "photo PUT, new (~300 KB JPEG)", count, photo)
            per_request(server, client, "photo PUT, held already (no image work)", count, photo)
            per_request(server, client, "audit PUT naming the photo", count, audit(with_photo))
    finally:
        server.stop()


def best_ms(items: list, step: Callable, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for item in items:
            step(item)
        best = min(best, (time.process_time() - start) / len(items))
    return best * 1000


def _small_decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data), formats=["JPEG"])
    image.draft(None, (images.THUMB_EDGE, images.THUMB_EDGE * 3 // 4))
    image.load()
    return image


def image_steps(photos: list[bytes]) -> None:
    print(f"\n== Image steps of a new photo, in this process, {len(photos)} photos (CPU ms) ==")
    small = [_small_decode(data) for data in photos]
    steps = [
        ("cut the metadata out (jpeg.strip_jpeg)", photos, strip_jpeg),
        ("reduced-scale decode: the whole check", photos, _small_decode),
        ("thumbnail from it (resize, encode)", small, images._thumbnail),
        (
            "images.process in all",
            photos,
            lambda data: images._process(data, 40_000_000, images.DECODES),
        ),
        (
            "Pillow's full decode, for comparison",
            photos,
            lambda d: Image.open(io.BytesIO(d)).load(),
        ),
    ]
    for label, items, step in steps:
        print(f"  {label:<40} {best_ms(items, step):7.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="requests of each kind")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    photos = photo_pool(args.count, 30, random.Random(args.seed), TABLET_NOISE)
    over_http(args.count, photos)
    image_steps([data for _, data in photos[:30]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
