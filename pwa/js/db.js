// IndexedDB: everything the officer's work depends on lives here, not in memory.
// The schema grows by an upgrade ladder (`if (oldVersion < N)`); a step may add stores or
// indexes but never deletes a store that holds user data (audits, photos, outbox, actions,
// red_tags).

const NAME = "genba";
const VERSION = 3;

let opening = null;

export function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = (event) => {
        const db = req.result;
        if (event.oldVersion < 1) {
          db.createObjectStore("kv");
          db.createObjectStore("checklists"); // key "<id>@<version>"
          db.createObjectStore("audits", { keyPath: "id" }).createIndex("zone_id", "zone_id");
          const photos = db.createObjectStore("photos", { keyPath: "sha256" });
          photos.createIndex("audit_id", "audit_id");
          // Sparse: only photos still to upload carry `pending`, so counting them is cheap.
          photos.createIndex("pending", "pending");
          db.createObjectStore("outbox", { keyPath: "key" });
          db.createObjectStore("attention", { keyPath: "key" });
        }
        if (event.oldVersion < 2) ownerIndexes(req.transaction);
        if (event.oldVersion < 3) recordStores(db, req.transaction);
      };
      req.onsuccess = () => {
        const db = req.result;
        // A newer shell in another tab wants to upgrade: let it, this page reloads on update.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        resolve(db);
      };
      req.onerror = () => {
        opening = null;
        reject(req.error);
      };
    });
  }
  return opening;
}

// A shared tablet: every screen shows only the signed-in user's audits and what needs their
// attention, so both are indexed by owner (the user id). Attention entries from version 1
// carried no owner: they take their audit's.
function ownerIndexes(t) {
  t.objectStore("audits").createIndex("owner", "owner");
  const attention = t.objectStore("attention");
  attention.createIndex("owner", "owner");
  const audits = t.objectStore("audits");
  attention.openCursor().onsuccess = (event) => {
    const cursor = event.target.result;
    if (!cursor) return;
    const entry = cursor.value;
    audits.get(entry.audit_id).onsuccess = (got) => {
      const audit = got.target.result;
      cursor.update({ ...entry, owner: audit ? audit.owner : null });
      cursor.continue();
    };
  };
}

// Corrective actions (整改项) and red tags (红牌): the server's copies plus this device's edits
// (records.js). Their photos are found by `record_id`, as audit photos are by `audit_id`.
function recordStores(db, t) {
  db.createObjectStore("actions", { keyPath: "id" }).createIndex("zone_id", "zone_id");
  db.createObjectStore("red_tags", { keyPath: "id" }).createIndex("zone_id", "zone_id");
  t.objectStore("photos").createIndex("record_id", "record_id");
}

/** A request as a promise (used inside `tx` callbacks). */
export const req = (r) =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

/**
 * Run `fn(stores)` in one transaction; resolves with fn's result only once the transaction has
 * committed, so callers can tell the user "saved" truthfully. Never await network inside fn.
 */
export async function tx(names, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(names, mode);
    const stores = {};
    for (const n of [].concat(names)) stores[n] = t.objectStore(n);
    let result;
    t.oncomplete = () => resolve(result);
    t.onabort = t.onerror = () => reject(t.error || new Error("transaction aborted"));
    Promise.resolve()
      .then(() => fn(stores))
      .then(
        (r) => {
          result = r;
        },
        (err) => {
          try {
            t.abort();
          } catch {
            // already finished
          }
          reject(err);
        },
      );
  });
}

export const get = (store, key) => tx(store, "readonly", (s) => req(s[store].get(key)));
export const getAll = (store) => tx(store, "readonly", (s) => req(s[store].getAll()));
export const put = (store, value, key) =>
  tx(store, "readwrite", (s) => req(key === undefined ? s[store].put(value) : s[store].put(value, key)));
export const del = (store, key) => tx(store, "readwrite", (s) => req(s[store].delete(key)));
export const count = (store) => tx(store, "readonly", (s) => req(s[store].count()));
export const byIndex = (store, index, key) =>
  tx(store, "readonly", (s) => req(s[store].index(index).getAll(key)));

export const kvGet = (key) => get("kv", key);
export const kvSet = (key, value) => put("kv", value, key);
