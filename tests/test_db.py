import sqlite3

import pytest

from server.core.db import Store
from server.core.migrations import migrations


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "genba.db")
    yield store
    store.close()


def test_wal_and_busy_timeout(store):
    db = store.read()
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute("pragma busy_timeout").fetchone()[0] >= 5000


def test_migrations_are_recorded_and_run_once(tmp_path, store):
    assert migrations.pending(store.read()) == []
    names = [m.name for m in migrations.applied(store.read())]
    assert "create_users_and_tokens" in names
    Store(tmp_path / "genba.db").close()  # opening again applies nothing new
    assert [m.name for m in migrations.applied(store.read())] == names


def test_a_failed_write_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.write() as db:
        db["sites"].insert({"id": "x", "name": "X", "name_en": "X"})
        raise RuntimeError("boom")
    assert store.read().execute("select count(*) from sites").fetchone()[0] == 0


def test_writes_are_visible_to_readers_after_commit(store):
    with store.write() as db:
        db["sites"].insert({"id": "x", "name": "X", "name_en": "X"})
    assert store.read().execute("select name from sites").fetchone()[0] == "X"


def test_writers_take_turns_across_threads(store):
    import threading

    def write(n):
        for i in range(20):
            with store.write() as db:
                db["sites"].insert({"id": f"{n}-{i}", "name": "s", "name_en": "s"})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.read().execute("select count(*) from sites").fetchone()[0] == 80


def test_integrity_check_passes(store):
    assert store.read().execute("pragma integrity_check").fetchone()[0] == "ok"
    with pytest.raises(sqlite3.IntegrityError), store.write() as db:
        db.execute("insert into zones (id, site_id, name) values ('z', 'no-such-site', 'z')")
