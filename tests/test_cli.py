"""The genba command line, run as a user runs it: a real process on a real data dir."""

import subprocess
import sys

from conftest import CHECKLISTS
from server.checklists.loader import NOT_CHECKLISTS


def genba(*args, stdin: str = "", env=None):
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_validate_shipped_packs():
    packs = [p for p in sorted(CHECKLISTS.glob("*.yaml")) if p.name not in NOT_CHECKLISTS]
    result = genba("checklists", "validate", *map(str, packs))
    assert result.returncode == 0, result.stderr
    assert "ok  6s-zone v4" in result.stdout


def test_validate_without_files_checks_the_shipped_folder():
    result = genba("checklists", "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok  ") >= 6


def test_validate_names_file_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: 1\ntitle: {zh: 甲, en: A}\nsections: nope\n", encoding="utf-8")
    result = genba("checklists", "validate", str(bad))
    assert result.returncode == 1
    assert "bad.yaml" in result.stderr and "$.sections" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_refuses_python_tags(tmp_path):
    bad = tmp_path / "evil.yaml"
    bad.write_text("!!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    result = genba("checklists", "validate", str(bad))
    assert result.returncode == 1 and "evil.yaml" in result.stderr
    assert "pwned" not in result.stdout


def test_validate_missing_file(tmp_path):
    result = genba("checklists", "validate", str(tmp_path / "missing.yaml"))
    assert result.returncode == 1 and "missing.yaml" in result.stderr


def test_user_add_reads_password_from_stdin(tmp_path):
    data = str(tmp_path / "data")
    result = genba("user", "add", "zhou", "--role", "supervisor", "--data", data, stdin="pw1234\n")
    assert result.returncode == 0, result.stderr
    assert "added zhou (supervisor)" in result.stdout
    again = genba("user", "add", "zhou", "--role", "officer", "--data", data, stdin="pw1234\n")
    assert again.returncode == 1 and "already exists" in again.stderr

    from server.core.db import Store
    from server.people.users import Passwords, check_password

    store = Store(tmp_path / "data" / "genba.db")
    passwords = Passwords()
    assert check_password(store, passwords, "zhou", "pw1234").role == "supervisor"
    assert check_password(store, passwords, "zhou", "wrong") is None
    store.close()


def test_user_add_refuses_bad_role_and_site(tmp_path):
    data = str(tmp_path / "data")
    bad_role = genba("user", "add", "x", "--role", "boss", "--data", data, stdin="pw1234\n")
    assert bad_role.returncode == 2 and "boss" in bad_role.stderr
    bad_site = genba(
        "user", "add", "x", "--role", "officer", "--site", "mars", "--data", data, stdin="pw1234\n"
    )
    assert bad_site.returncode == 1 and "mars" in bad_site.stderr
