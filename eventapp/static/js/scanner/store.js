// IndexedDB: the roster (people, found by the SHA-256 of their codes), the queue of scans made offline (in
// order), and small facts (the roster's cursor).
const DB_NAME = "scanner";
let opened = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function db() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const base = req.result;
        const people = base.createObjectStore("people", {keyPath: "registration_id"});
        people.createIndex("code", "code_hashes", {multiEntry: true});
        people.createIndex("retired", "retired_code_hashes", {multiEntry: true});
        base.createObjectStore("queue", {keyPath: "seq", autoIncrement: true});
        base.createObjectStore("meta", {keyPath: "key"});
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return opened;
}

async function tx(stores, mode, work) {
  const base = await db();
  const transaction = base.transaction(stores, mode);
  const done = new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  const result = await work(...[].concat(stores).map((name) => transaction.objectStore(name)));
  await done;
  return result;
}

export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- roster ---

export function saveRoster({full, people, cursor}) {
  return tx(["people", "meta"], "readwrite", (store, meta) => {
    if (full) store.clear();
    for (const person of people) store.put(person);
    meta.put({key: "cursor", value: cursor});
  });
}

export async function cursor() {
  const row = await tx("meta", "readonly", (meta) => request(meta.get("cursor")));
  return row ? row.value : null;
}

/** {person, retired} for a code's hash: retired when it is a re-issued badge's old code. */
export function personByHash(hash) {
  return tx("people", "readonly", async (store) => {
    const person = await request(store.index("code").get(hash));
    if (person) return {person, retired: false};
    const old = await request(store.index("retired").get(hash));
    return {person: old || null, retired: Boolean(old)};
  });
}

export function personById(id) {
  return tx("people", "readonly", async (store) => (await request(store.get(id))) || null);
}

export function putPerson(person) {
  return tx("people", "readwrite", (store) => { store.put(person); });
}

export function allPeople() {
  return tx("people", "readonly", (store) => request(store.getAll()));
}

// --- the queue of scans made offline ---

export function enqueue(item) {
  return tx("queue", "readwrite", (store) => request(store.add(item)));
}

export function queued() {
  return tx("queue", "readonly", (store) => request(store.getAll()));
}

export function queueCount() {
  return tx("queue", "readonly", (store) => request(store.count()));
}

export function dequeue(seq) {
  return tx("queue", "readwrite", (store) => { store.delete(seq); });
}

export function queuedItem(seq) {
  return tx("queue", "readonly", async (store) => (await request(store.get(seq))) || null);
}

export function wipe() {
  return tx(["people", "queue", "meta"], "readwrite", (people, queue, meta) => {
    people.clear();
    queue.clear();
    meta.clear();
  });
}
