"""GET /api/audits/{uuid}/scorecard.pdf, read back with pdftotext; hostile notes print as text."""

import hashlib
import subprocess
import uuid

import pytest

import images
from conftest import audit_body, login, site_supervisor
from server.photos.files import PhotoFiles
from server.reports.scorecard import PhotoFetcher

HOSTILE = (
    '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/hosts"> '
    "@import url(http://169.254.169.254/); 地面有油污"
)


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "scorecard.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def audit(client, officer):
    data = images.jpeg()
    sha = hashlib.sha256(data).hexdigest()
    client.put(
        f"/api/photos/{sha}", content=data, headers={**officer, "Content-Type": "image/jpeg"}
    )
    body = audit_body(client, officer, zone_id="hq-workshop", zone_kind="workshop")
    first = next(iter(body["answers"]))
    body["answers"][first] = {"value": 1, "note": HOSTILE, "photos": [sha]}
    audit_id = str(uuid.uuid4())
    assert client.put(f"/api/audits/{audit_id}", json=body, headers=officer).status_code == 201
    return audit_id


def test_scorecard_reads_back_in_chinese_and_english(client, officer, audit, tmp_path):
    response = client.get(f"/api/audits/{audit}/scorecard.pdf", headers=officer)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    percent = client.get(f"/api/audits/{audit}", headers=officer).json()["score"]["percent"]
    for expected in [
        "6S 区域审核",
        "6S zone audit",
        "机电维修车间",
        "王建国",
        "整理",
        "Safety",
        f"{percent}%",
    ]:
        assert expected in text, expected


def test_hostile_notes_print_as_text_and_fetch_nothing(client, officer, audit, tmp_path):
    pdf = client.get(f"/api/audits/{audit}/scorecard.pdf", headers=officer).content
    flat = " ".join(_pdf_text(pdf, tmp_path).split())
    assert "file:///etc/" in flat and "169.254.169.254" in flat, "the note must print as text"
    assert "root:x:0:0" not in flat


def test_fetcher_serves_only_photo_thumbnails(app, tmp_path):
    fetcher = PhotoFetcher(PhotoFiles(app.state.settings.photos_dir))
    for url in [
        "file:///etc/passwd",
        "http://169.254.169.254/",
        "genba-photo:../../x",
        "genba-photo:" + "a" * 64,
        "data:text/plain,hi",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


def test_scorecards_follow_audit_visibility(client, audit, admin):
    other = login(client, "officer2")
    assert client.get(f"/api/audits/{audit}/scorecard.pdf", headers=other).status_code == 404
    east = site_supervisor(client, admin, "east.lead")
    assert client.get(f"/api/audits/{audit}/scorecard.pdf", headers=east).status_code == 404
    boss = login(client, "supervisor")
    assert client.get(f"/api/audits/{audit}/scorecard.pdf", headers=boss).status_code == 200
