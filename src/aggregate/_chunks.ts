/**
 * The aggregator's store on a Durable Object's storage, which takes at most
 * 128 KiB per value (Cloudflare): a value is cut into chunks. The head, at
 * the aggregator's key, is the chunk count (varint) and the first chunk;
 * chunk `i >= 1` is at `chunk:<i>:<key>` (the aggregator's keys never start
 * with `chunk:`). A value's chunks are written in one `put` (atomic, up to
 * 128 keys: 16 MiB), then the chunks an older, longer value left behind are
 * deleted; loading ignores and removes chunks no head counts.
 * @module
 */

import type { AggregatorStore } from "./aggregator.ts";
import { uvarint } from "../_protobuf.ts";

/** The storage calls used (a `DurableObjectStorage` has them). @internal */
export interface ChunkStorage {
  put(entries: Record<string, unknown>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list(): Promise<Map<string, unknown>>;
}

/** Bytes per chunk: under 128 KiB with room for the storage's own framing. */
const CHUNK_BYTES = 128 * 1024 - 1024;
/** Keys one `put` or `delete` call takes on Cloudflare. */
const KEYS_PER_CALL = 128;
const PREFIX = "chunk:";

function chunkKey(i: number, key: string): string {
  return PREFIX + i + ":" + key;
}

/** A store writing chunked values to `storage`, and the loader of what it wrote. @internal */
export function chunkedStore(storage: ChunkStorage, chunkBytes: number = CHUNK_BYTES): {
  store: AggregatorStore;
  load(): Promise<[string, Uint8Array][]>;
} {
  /** Chunks per key as last written or loaded. */
  const counts = new Map<string, number>();

  /** Deletes chunks `from..to-1` of `key`; the calls' promises go to `into`. */
  const dropChunks = (key: string, from: number, to: number, into: Promise<unknown>[]): void => {
    const keys: string[] = [];
    for (let i = Math.max(from, 1); i < to; i++) keys.push(chunkKey(i, key));
    for (let i = 0; i < keys.length; i += KEYS_PER_CALL) {
      into.push(storage.delete(keys.slice(i, i + KEYS_PER_CALL)));
    }
  };

  const store: AggregatorStore = {
    put(key, value) {
      const n = Math.max(1, Math.ceil(value.length / chunkBytes));
      const len = uvarint(n);
      const head = new Uint8Array(len.length + Math.min(chunkBytes, value.length));
      head.set(len);
      head.set(value.subarray(0, chunkBytes), len.length);
      let batch: Record<string, unknown> = { [key]: head };
      let size = 1;
      const writes: Promise<unknown>[] = [];
      for (let i = 1; i < n; i++) {
        if (size === KEYS_PER_CALL) {
          writes.push(storage.put(batch));
          batch = {};
          size = 0;
        }
        batch[chunkKey(i, key)] = value.slice(i * chunkBytes, (i + 1) * chunkBytes);
        size++;
      }
      writes.push(storage.put(batch));
      dropChunks(key, n, counts.get(key) ?? 0, writes);
      counts.set(key, n);
      // One promise for every call: the aggregator counts a failure of any.
      return Promise.all(writes);
    },
    delete(key) {
      const calls: Promise<unknown>[] = [];
      dropChunks(key, 1, counts.get(key) ?? 0, calls);
      counts.delete(key);
      calls.push(storage.delete([key]));
      return Promise.all(calls);
    },
  };

  const load = async (): Promise<[string, Uint8Array][]> => {
    const all = await storage.list();
    const out: [string, Uint8Array][] = [];
    const used = new Set<string>();
    for (const [key, head] of all) {
      if (key.startsWith(PREFIX) || !(head instanceof Uint8Array)) continue;
      let n = 0, mul = 1, p = 0;
      while (p < head.length && p < 8) {
        const b = head[p++];
        n += (b & 0x7f) * mul;
        mul *= 128;
        if (b < 0x80) break;
      }
      const parts: Uint8Array[] = [head.subarray(p)];
      for (let i = 1; i < n; i++) {
        const c = all.get(chunkKey(i, key));
        if (!(c instanceof Uint8Array)) break;
        parts.push(c);
        used.add(chunkKey(i, key));
      }
      if (parts.length !== n) {
        // A value cut short: hand its head on whole, so restore() names it as unreadable.
        out.push([key, new Uint8Array(0)]);
        continue;
      }
      counts.set(key, n);
      const value = new Uint8Array(parts.reduce((a, c) => a + c.length, 0));
      let at = 0;
      for (const c of parts) value.set(c, at), at += c.length;
      out.push([key, value]);
    }
    const stale = [...all.keys()].filter((k) => k.startsWith(PREFIX) && !used.has(k));
    for (let i = 0; i < stale.length; i += KEYS_PER_CALL) {
      // Leftovers: a failure here must not keep the totals from loading (next load tries again).
      await storage.delete(stale.slice(i, i + KEYS_PER_CALL)).catch(() => {});
    }
    return out;
  };

  return { store, load };
}
