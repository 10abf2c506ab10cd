/* What the field mode keeps on the device, in IndexedDB: the entries (one per message, keyed
   by the UUID made here) and small named values (the referential, the draft, the last
   sending). Every function returns a promise. */

var dbPromise = null;

function openDb() {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise(function (resolve, reject) {
    var request = indexedDB.open("participation-terrain", 1);
    request.onupgradeneeded = function () {
      var db = request.result;
      if (!db.objectStoreNames.contains("entries")) db.createObjectStore("entries", { keyPath: "uuid" });
      if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
    request.onblocked = function () { reject(new Error("IndexedDB bloquée")); };
  });
  return dbPromise;
}

function tx(storeName, mode, work) {
  return openDb().then(function (db) {
    return new Promise(function (resolve, reject) {
      var transaction = db.transaction(storeName, mode);
      var store = transaction.objectStore(storeName);
      var result;
      var request = work(store);
      if (request) request.onsuccess = function () { result = request.result; };
      transaction.oncomplete = function () { resolve(result); };
      transaction.onerror = function () { reject(transaction.error); };
      transaction.onabort = function () { reject(transaction.error || new Error("abort")); };
    });
  });
}

export function getMeta(key) { return tx("meta", "readonly", function (s) { return s.get(key); }); }
export function setMeta(key, value) { return tx("meta", "readwrite", function (s) { return s.put(value, key); }); }
export function allEntries() { return tx("entries", "readonly", function (s) { return s.getAll(); }); }
export function putEntry(entry) { return tx("entries", "readwrite", function (s) { return s.put(entry); }); }
export function deleteEntry(uuid) { return tx("entries", "readwrite", function (s) { return s.delete(uuid); }); }
