// The cache of verified credentials (src/credentials/verified-cache.ts): what it stores, and
// the three rules that keep a revocation from being answered out of it.
import { createVerifiedCache } from "../../src/credentials/verified-cache";

function liveCache(options: Parameters<typeof createVerifiedCache>[0] = {}) {
  const cache = createVerifiedCache<string>(options);
  cache.setLive(true);
  return cache;
}

test("when a row is put with the current generation, then it is served", () => {
  const cache = liveCache();
  cache.put("k", "row", cache.generation());
  expect(cache.get("k")).toBe("row");
});

test("when the cache was emptied while the row was being read, then the row is not stored", () => {
  const cache = liveCache();
  const generation = cache.generation();
  cache.invalidate(); // a notification arrives while the lookup's query runs
  cache.put("k", "old row", generation);
  expect(cache.get("k")).toBeUndefined();
  expect(cache.size).toBe(0);
});

test("when the cache is not live (no LISTEN connection), then nothing is stored", () => {
  const cache = createVerifiedCache<string>();
  cache.put("k", "row", cache.generation());
  expect(cache.get("k")).toBeUndefined();
});

test("when the listening connection goes down, then what was cached is dropped", () => {
  const cache = liveCache();
  cache.put("k", "row", cache.generation());
  cache.setLive(false);
  expect(cache.get("k")).toBeUndefined();
  cache.put("k", "row", cache.generation());
  expect(cache.get("k")).toBeUndefined();
});

test("when an entry is older than its time to live, then it is not served", () => {
  let now = 1_000;
  const cache = liveCache({ ttlMs: 100, now: () => now });
  cache.put("k", "row", cache.generation());
  now += 99;
  expect(cache.get("k")).toBe("row");
  now += 2;
  expect(cache.get("k")).toBeUndefined();
});

test("when more distinct keys arrive than it holds, then the oldest entry goes first", () => {
  const cache = liveCache({ maxEntries: 2 });
  for (const k of ["a", "b", "c"]) cache.put(k, k, cache.generation());
  expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([undefined, "b", "c"]);
});

test("when lookups reach the database, then the first one starts what feeds the cache, once", () => {
  let started = 0;
  const cache = createVerifiedCache<string>({ onFirstLookup: () => started++ });
  expect(started).toBe(0);
  cache.generation();
  cache.generation();
  expect(started).toBe(1);
});
