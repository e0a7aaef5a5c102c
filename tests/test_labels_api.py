"""GET /api/sites/{id}/labels.pdf: every active zone's QR label, opening that zone."""

import io
import subprocess

import zxingcpp
from PIL import Image


def _qr_urls(pdf: bytes, tmp_path) -> list[str]:
    (tmp_path / "labels.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(tmp_path / "labels.pdf"), str(tmp_path / "p")],
        check=True,
    )
    urls = []
    for page in sorted(tmp_path.glob("p-*.png")):
        urls += [
            code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(page.read_bytes())))
        ]
    return urls


def test_labels_open_each_zone_at_the_public_url(client, app, admin, tmp_path):
    app.state.settings.public_url = "https://genba.hongda.lan"
    response = client.get("/api/sites/hq/labels.pdf", headers=admin)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    zones = [
        r[0]
        for r in app.state.store.read().execute(
            "select id from zones where site_id = 'hq' and active = 1"
        )
    ]
    assert sorted(_qr_urls(response.content, tmp_path)) == sorted(
        f"https://genba.hongda.lan/#/zone/{zone}" for zone in zones
    )
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True
    ).stdout.decode()
    assert "机电维修车间" in text and "王建国" in text and "Workshop" in text


def test_without_a_public_url_labels_use_the_address_asked(client, admin, tmp_path):
    response = client.get("/api/sites/east/labels.pdf", headers=admin)
    urls = _qr_urls(response.content, tmp_path)
    assert urls and all(url.startswith("http://testserver.local/#/zone/east-") for url in urls)


def test_labels_of_a_site_you_cannot_see_are_404(client, officer, admin):
    assert client.get("/api/sites/mars/labels.pdf", headers=admin).status_code == 404
    assert client.get("/api/sites/hq/labels.pdf", headers=officer).status_code == 403
