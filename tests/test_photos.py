"""Photos: PUT by sha256, sanitized copies, refusals, storage on disk and who may see what."""

from __future__ import annotations

import errno
import io
import json
import os
import time
from pathlib import Path

import pytest
from litestar.testing import TestClient
from PIL import Image, ImageFile

import images
from conftest import CHECKLISTS, login
from images import sha
from server.app import create_app
from server.core.errors import Invalid
from server.core.settings import Settings
from server.photos.files import PhotoFiles
from server.photos.images import process


def put(client, headers, data: bytes, photo_id: str | None = None, content_type="image/jpeg"):
    return client.put(
        f"/api/photos/{photo_id or sha(data)}",
        content=data,
        headers={**headers, "Content-Type": content_type},
    )


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def assert_no_temp_files(folder: Path) -> None:
    leftovers = [name for name in files_in(folder) if name.endswith(".tmp") or "/." in name]
    assert leftovers == []


def photo_rows(app) -> list[dict]:
    return list(app.state.store.read().query("select * from photos"))


def photo_events(app) -> list[dict]:
    return list(app.state.store.read().query("select * from events where entity = 'photo'"))


def assert_nothing_kept(app, settings) -> None:
    assert photo_rows(app) == [] and photo_events(app) == []
    assert files_in(settings.photos_dir) == []


# --- accepted uploads ---------------------------------------------------------------------


def test_camera_jpeg_is_stored_upright_without_metadata(client, officer, app, settings):
    data = images.camera_jpeg(size=(120, 60), orientation=6)
    response = put(client, officer, data)
    assert response.status_code == 201, response.text
    assert response.json()["width"] == 60 and response.json()["height"] == 120

    got = client.get(f"/api/photos/{sha(data)}", headers=officer)
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["cache-control"] == "private, no-store"
    stored = Image.open(io.BytesIO(got.content))
    assert stored.format == "JPEG" and stored.size == (60, 120)
    assert dict(stored.getexif()) == {}
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(stored.info)
    assert b"Exif" not in got.content and b"PhoneMaker" not in got.content
    # Upright: the red mark of the sideways original is now at the top right.
    red, green, blue = stored.convert("RGB").getpixel((59, 0))
    assert red > 200 and green < 60 and blue < 60

    on_disk = settings.photos_dir / sha(data)[:2] / f"{sha(data)}.jpg"
    assert on_disk.read_bytes() == got.content
    (row,) = photo_rows(app)
    assert row["stored_sha256"] == sha(got.content)
    assert row["bytes"] == len(got.content) and row["content_type"] == "image/jpeg"


def test_png_keeps_transparency_and_loses_its_chunks(client, officer):
    data = images.png(mode="RGBA")
    assert put(client, officer, data, content_type="image/png").status_code == 201
    got = client.get(f"/api/photos/{sha(data)}", headers=officer)
    assert got.headers["content-type"] == "image/png"
    stored = Image.open(io.BytesIO(got.content))
    assert stored.mode == "RGBA" and stored.getpixel((79, 0))[3] == 0
    assert dict(stored.getexif()) == {}
    assert not {"exif", "icc_profile", "xmp", "Comment", "XML:com.adobe.xmp"} & set(stored.info)


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_webp_is_accepted_and_stripped(client, officer, mode):
    data = images.webp(mode=mode)
    assert put(client, officer, data, content_type="image/webp").status_code == 201
    got = client.get(f"/api/photos/{sha(data)}", headers=officer)
    assert got.headers["content-type"] == "image/webp"
    stored = Image.open(io.BytesIO(got.content))
    assert stored.format == "WEBP" and stored.mode == mode
    assert dict(stored.getexif()) == {}
    assert not {"exif", "icc_profile", "xmp"} & set(stored.info)


def test_type_is_sniffed_not_taken_from_the_header(client, officer):
    data = images.png()
    assert put(client, officer, data, content_type="image/jpeg").status_code == 201
    got = client.get(f"/api/photos/{sha(data)}", headers=officer)
    assert got.headers["content-type"] == "image/png"


def test_replay_is_200_and_records_nothing_new(client, officer, app, settings):
    data = images.camera_jpeg()
    assert put(client, officer, data).status_code == 201
    before = files_in(settings.photos_dir)
    again = put(client, officer, data)
    assert again.status_code == 200 and again.json()["created"] is False
    assert len(photo_rows(app)) == 1
    put_event, hold_event = photo_events(app)
    assert put_event["action"] == "photo.put" and put_event["entity_id"] == sha(data)
    row = photo_rows(app)[0]
    assert json.loads(put_event["detail"]) == {
        "stored_sha256": row["stored_sha256"],
        "thumb_sha256": row["thumb_sha256"],
        "content_type": "image/jpeg",
    }
    assert hold_event["action"] == "photo.hold", "the uploader holds it, once"
    assert files_in(settings.photos_dir) == before


def test_upload_needs_a_sign_in(client):
    data = images.jpeg()
    assert put(client, {}, data).status_code == 401


# --- refusals -----------------------------------------------------------------------------


def test_hash_mismatch_is_400_and_keeps_nothing(client, officer, app, settings):
    data = images.jpeg()
    response = put(client, officer, data, photo_id=sha(data + b"x"))
    assert response.status_code == 400 and "sha256" in response.json()["detail"]
    assert_nothing_kept(app, settings)


@pytest.mark.parametrize(
    "data",
    [
        images.SVG,
        images.other_format("TIFF"),
        images.other_format("GIF"),
        images.HTML,
        b"",
    ],
    ids=["svg", "tiff", "gif", "html", "empty"],
)
def test_not_an_allowed_image_is_415(client, officer, app, settings, data):
    response = put(client, officer, data, content_type="image/jpeg")
    assert response.status_code == 415, response.text
    assert_nothing_kept(app, settings)


def test_truncated_jpeg_is_422(client, officer, app, settings):
    response = put(client, officer, images.truncated_jpeg())
    assert response.status_code == 422 and "truncated" in response.json()["detail"]
    assert_nothing_kept(app, settings)


@pytest.mark.parametrize("side", [100_000, 8_000])  # past Pillow's own limit; past ours only
def test_decompression_bomb_is_422_quickly(client, officer, app, settings, side):
    bomb = images.png_bomb(side, side)
    assert len(bomb) < 100_000
    started = time.monotonic()
    response = put(client, officer, bomb, content_type="image/png")
    assert response.status_code == 422, response.text
    assert time.monotonic() - started < 2
    assert_nothing_kept(app, settings)


def test_bomb_is_refused_before_its_pixels_are_decoded(monkeypatch):
    def no_decoding(self):
        raise AssertionError("decoded a bomb")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(Invalid) as refused:
        process(images.png_bomb(8_000, 8_000), max_pixels=40_000_000)
    assert "8000x8000" in refused.value.message


BAD_IDS = ["..%2F..%2Fetc", "%2e%2e", "A" * 64, "a" * 1000, "%00" + "a" * 63, "a" * 63 + "g"]


def test_bad_ids_are_refused(client, officer, app, settings, tmp_path):
    before = files_in(tmp_path)
    for photo_id in BAD_IDS:
        for method in ("put", "get", "head"):
            options = {"content": images.jpeg()} if method == "put" else {}
            url = f"/api/photos/{photo_id}"
            response = getattr(client, method)(url, headers=officer, **options)
            assert response.status_code in (400, 404), (method, photo_id[:20], response.text)
    assert files_in(tmp_path) == before
    assert_nothing_kept(app, settings)


def test_unknown_size_is_400(client, officer):
    data = images.jpeg()
    put(client, officer, data)
    assert client.get(f"/api/photos/{sha(data)}?size=huge", headers=officer).status_code == 400


@pytest.fixture
def small_client(tmp_path):
    # The app-wide body limit is far below the photo limit: photos have their own.
    settings = Settings(
        data_dir=tmp_path / "small",
        checklists_dir=CHECKLISTS,
        demo=True,
        max_body_bytes=500,
        max_photo_bytes=3_000,
        password_cost="test",
    )
    app = create_app(settings)
    with TestClient(app=app) as client:
        yield client, login(client, "officer"), settings
    app.state.store.close()


def test_photo_limit_is_its_own(small_client):
    client, officer, _ = small_client
    data = images.jpeg(size=(40, 20))
    assert 500 < len(data) <= 3_000
    assert put(client, officer, data).status_code == 201


def test_over_the_limit_is_413(small_client):
    client, officer, settings = small_client
    data = images.jpeg(size=(400, 300))
    assert len(data) > 3_000
    response = put(client, officer, data)
    assert response.status_code == 413 and response.json()["max_bytes"] == 3_000
    assert files_in(settings.photos_dir) == []


def test_chunked_body_over_the_limit_is_413(small_client):
    client, officer, settings = small_client
    data = images.jpeg(size=(400, 300))

    def chunks():
        for start in range(0, len(data), 1000):
            yield data[start : start + 1000]

    response = client.put(f"/api/photos/{sha(data)}", content=chunks(), headers=officer)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert files_in(settings.photos_dir) == []


def test_disk_full_is_507_and_records_nothing(client, officer, app, settings, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    data = images.jpeg()
    monkeypatch.setattr(os, "fsync", full)
    response = put(client, officer, data)
    assert response.status_code == 507 and "disk is full" in response.json()["detail"]
    assert photo_rows(app) == [] and photo_events(app) == []
    assert_no_temp_files(settings.photos_dir)
    monkeypatch.undo()
    assert put(client, officer, data).status_code == 201


# --- reading back -------------------------------------------------------------------------


def test_head_is_200_after_upload_and_404_before(client, officer):
    data = images.jpeg()
    url = f"/api/photos/{sha(data)}"
    assert client.head(url, headers=officer).status_code == 404
    put(client, officer, data)
    head = client.head(url, headers=officer)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == "image/jpeg"


def test_get_unknown_is_404(client, officer):
    assert client.get(f"/api/photos/{'0' * 64}", headers=officer).status_code == 404


def test_thumbnail_is_a_small_jpeg(client, officer):
    data = images.png(size=(1000, 500))
    put(client, officer, data, content_type="image/png")
    got = client.get(f"/api/photos/{sha(data)}?size=thumb", headers=officer)
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["cache-control"] == "private, no-store"
    thumb = Image.open(io.BytesIO(got.content))
    assert thumb.format == "JPEG" and max(thumb.size) <= 320 and thumb.size == (320, 160)


# --- storage ------------------------------------------------------------------------------


def test_photo_files_put_read_exists(tmp_path):
    files = PhotoFiles(tmp_path)
    photo_id = "ab" + "0" * 62
    assert not files.exists(photo_id, "image/png")
    files.put(photo_id, "image/png", b"pixels", b"thumb")
    assert files.exists(photo_id, "image/png")
    assert files.read(photo_id, "image/png") == b"pixels"
    assert files.read(photo_id, "image/png", thumb=True) == b"thumb"
    assert files_in(tmp_path) == [f"ab/{photo_id}.png", f"ab/{photo_id}.thumb.jpg"]


@pytest.mark.parametrize("photo_id", ["../" + "a" * 61, "/etc/passwd", "A" * 64, ""])
def test_photo_files_only_take_hashes(tmp_path, photo_id):
    with pytest.raises(ValueError):
        PhotoFiles(tmp_path).path(photo_id, "image/jpeg")


def test_failed_write_leaves_no_temp_file(tmp_path, monkeypatch):
    def broken(src, dst):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        PhotoFiles(tmp_path).put("cd" + "1" * 62, "image/jpeg", b"x", b"y")
    assert files_in(tmp_path) == []


def test_pdf_rendering_does_not_loosen_photo_intake():
    """WeasyPrint flips Pillow's LOAD_TRUNCATED_IMAGES on import; the app turns it off again."""
    from PIL import ImageFile

    import server.app  # noqa: F401  (imports the PDF code, as the server does)

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
