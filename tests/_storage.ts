// A Durable Object state for tests: storage with Cloudflare's limits, and blockConcurrencyWhile.

/** A Durable Object storage with Cloudflare's limits: 128 KiB per value, 128 keys per call. */
export function cloudflareStorage() {
  const data = new Map<string, unknown>();
  const keys = (n: number) => {
    if (n > 128) throw new RangeError(`${n} keys in one call; at most 128`);
  };
  return {
    data,
    storage: {
      put(entries: Record<string, unknown>): Promise<void> {
        keys(Object.keys(entries).length);
        for (const v of Object.values(entries)) {
          if ((v as Uint8Array).byteLength > 131072) {
            return Promise.reject(new RangeError("Values cannot be larger than 131072 bytes."));
          }
        }
        for (const [k, v] of Object.entries(entries)) data.set(k, (v as Uint8Array).slice());
        return Promise.resolve();
      },
      delete(ks: string[]): Promise<number> {
        keys(ks.length);
        return Promise.resolve(ks.filter((k) => data.delete(k)).length);
      },
      list: () => Promise.resolve(new Map([...data].sort(([a], [b]) => (a < b ? -1 : 1)))),
    },
    /** What the object is loading: workerd holds its requests until this settles. */
    ready: Promise.resolve() as Promise<unknown>,
    blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T> {
      const p = fn();
      this.ready = p;
      return p;
    },
  };
}
