"""The app shell the service worker precaches: complete, one version, within its budget."""

import gzip
import re

from conftest import ROOT

PWA = ROOT / "pwa"
SW = (PWA / "sw.js").read_text(encoding="utf-8")
APP = (PWA / "js" / "app.js").read_text(encoding="utf-8")


def _shell() -> list[str]:
    listing = re.search(r"const SHELL = \[(.*?)\];", SW, re.S).group(1)
    return re.findall(r'"([^"]+)"', listing)


def test_page_and_worker_agree_on_the_version():
    worker = re.search(r'const VERSION = "([^"]+)"', SW).group(1)
    page = re.search(r'const VERSION = "([^"]+)"', APP).group(1)
    assert worker == page


# Screens used only online, on an office PC (set-up, the supervisor's console): loaded when
# opened, never part of the officer's offline shell.
ONLINE_ONLY = ("/js/views/admin/", "/js/views/console/")


def test_every_module_and_style_is_precached():
    shell = set(_shell())
    for path in sorted(PWA.rglob("*")):
        if path.suffix in {".js", ".css"} and path.name != "sw.js":
            url = "/" + path.relative_to(PWA).as_posix()
            if url.startswith(ONLINE_ONLY):
                assert url not in shell, f"{url} is online-only: not for the tablet's shell"
            else:
                assert url in shell, f"{url} is not in the service worker's SHELL list"


def test_every_precached_file_exists():
    for url in _shell():
        path = PWA / ("index.html" if url == "/" else url.lstrip("/"))
        assert path.is_file(), url


def test_shell_stays_within_its_budget():
    """What a tablet downloads once, on install: the server sends it gzipped. The officer's
    offline screens (audits, actions, red tags) must all be in it; the online-only admin and
    console screens stay out (ONLINE_ONLY)."""
    files = [PWA / ("index.html" if url == "/" else url.lstrip("/")) for url in _shell()]
    total = sum(path.stat().st_size for path in files)
    sent = sum(len(gzip.compress(path.read_bytes())) for path in files)
    assert total < 240 * 1024, f"app shell is {total} bytes"
    assert sent < 100 * 1024, f"app shell is {sent} bytes gzipped"


def test_no_third_party_code_is_vendored():
    for path in PWA.rglob("*.js"):
        head = path.read_text(encoding="utf-8")[:400].lower()
        assert "copyright" not in head and "license" not in head, path


def test_every_module_is_preloaded_by_the_page():
    """index.html asks for every module at once, so start-up is not an import waterfall."""
    page = (PWA / "index.html").read_text(encoding="utf-8")
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', page))
    modules = {url for url in _shell() if url.endswith(".js")}
    assert preloaded == modules


def _string_keys(path) -> list[str]:
    """The keys of a [zh, en] string table, in order (one `key: [` per line)."""
    text = path.read_text(encoding="utf-8")
    return re.findall(r"^\s+([A-Za-z_]\w*): \[", text, flags=re.M)


def test_no_string_is_defined_twice_nor_overridden_by_the_console():
    """A later key silently wins in a JavaScript object literal (the update banner once read
    "Change"), and the console's table is merged over the shell's when it opens."""
    shell = _string_keys(PWA / "js" / "i18n.js")
    console = _string_keys(PWA / "js" / "views" / "console" / "strings.js")
    for table in (shell, console):
        assert sorted({k for k in table if table.count(k) > 1}) == []
    assert sorted(set(shell) & set(console)) == []
