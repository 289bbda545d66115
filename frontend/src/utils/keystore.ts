// The reviewer's private key lives only in this browser: a non-extractable CryptoKey kept in
// IndexedDB (database "cx-e2e", store "keys", keyed by user id). Non-extractable means no
// script, not even ours, can read its bytes; it can only be used to derive. Clearing the
// site's data loses it: the reviewer then registers a new key, and papers wrapped only to
// the old one cannot be opened here (see README "Documents").
import type { PublicJwk } from './e2eEnvelope';

export interface StoredKey { user: number; kid: string; jwk: PublicJwk; privateKey: CryptoKey; created: number }

const DB = 'cx-e2e';
const STORE = 'keys';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => { r.result.createObjectStore(STORE, { keyPath: 'user' }); };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB unavailable'));
  });
}

function run<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return open().then((db) => new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = f(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(req.result as T); };
    tx.onerror = () => { db.close(); reject(tx.error ?? new Error('IndexedDB error')); };
  }));
}

export function loadKey(user: number): Promise<StoredKey | undefined> { return run('readonly', (s) => s.get(user)); }
export function saveKey(k: StoredKey): Promise<unknown> { return run('readwrite', (s) => s.put(k)); }
export function deleteKey(user: number): Promise<unknown> { return run('readwrite', (s) => s.delete(user)); }
