"""A tablet that ran an older app keeps its work when the new one upgrades its database: the
upgrade ladder adds stores and indexes and never drops what the officer saved."""

from __future__ import annotations

from .conftest import app_ready, idb_all, idb_get

# The version 1 schema exactly as the first app made it (pwa/js/db.js, `oldVersion < 1`),
# holding a draft, its outbox entry and an attention entry from before owners existed.
OLD_DEVICE = """
async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('genba', 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore('kv');
      db.createObjectStore('checklists');
      db.createObjectStore('audits', {keyPath: 'id'}).createIndex('zone_id', 'zone_id');
      const photos = db.createObjectStore('photos', {keyPath: 'sha256'});
      photos.createIndex('audit_id', 'audit_id');
      photos.createIndex('pending', 'pending');
      db.createObjectStore('outbox', {keyPath: 'key'});
      db.createObjectStore('attention', {keyPath: 'key'});
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tx = db.transaction(['audits', 'outbox', 'attention'], 'readwrite');
  tx.objectStore('audits').put({id: 'old-draft', zone_id: 'hq-lounge', owner: 7,
    checklist_id: '6s-zone', checklist_version: 1, status: 'draft', answers: {}});
  tx.objectStore('outbox').put({key: 'audit:old-draft', body: {status: 'draft'}});
  tx.objectStore('attention').put({key: 'audit:old-draft', audit_id: 'old-draft',
    status: 422, detail: 'kept from before'});
  await new Promise((resolve) => { tx.oncomplete = resolve; });
  db.close();
  return db.version;
}
"""

VERSION_AND_STORES = """
async () => {
  const db = await new Promise((resolve) => {
    const request = indexedDB.open('genba');
    request.onsuccess = () => resolve(request.result);
  });
  const out = [db.version, [...db.objectStoreNames].sort()];
  db.close();
  return out;
}
"""


def test_an_old_devices_draft_outbox_and_attention_survive_the_upgrade(server, pages):
    page = pages.new()
    page.goto(server.origin + "/manifest.webmanifest")  # the origin, without the app
    assert page.evaluate(OLD_DEVICE) == 1
    page.goto(server.origin + "/")
    app_ready(page)
    version, stores = page.evaluate(VERSION_AND_STORES)
    assert version >= 3
    assert {"audits", "outbox", "attention", "photos", "actions", "red_tags"} <= set(stores)
    assert idb_get(page, "audits", "old-draft")["status"] == "draft"
    assert idb_get(page, "outbox", "audit:old-draft")["body"] == {"status": "draft"}
    # Attention entries from version 1 take their audit's owner (version 2's step).
    assert idb_get(page, "attention", "audit:old-draft")["owner"] == 7
    assert idb_all(page, "actions") == [] and idb_all(page, "red_tags") == []
    pages.check()
