// The batched rate-limit counter over a real in-memory limiter of rate-limiter-flexible.
import { RateLimiterMemory } from "rate-limiter-flexible";
import { batchedCounter } from "../../src/http/batched-counter";

const limiter = (points: number) => new RateLimiterMemory({ points, duration: 60 });

async function allowed(counter: ReturnType<typeof batchedCounter>, key: string, tries: number) {
  let n = 0;
  for (let i = 0; i < tries; i++) if ((await counter.take(key)) === null) n += 1;
  return n;
}

describe("batchedCounter", () => {
  it("when the limit is small, then it counts every request and refuses the one past the limit", async () => {
    const counter = batchedCounter(3, () => limiter(3));
    expect(await allowed(counter, "a", 5)).toBe(3);
    expect(await counter.take("a")).toBeGreaterThan(0);
    expect(await counter.take("b")).toBeNull();
  });

  it("when the limit is large, then it takes batches from the store and still stops at the limit", async () => {
    const store = limiter(5_000);
    let takes = 0;
    const counting = Object.assign(Object.create(store) as RateLimiterMemory, {
      consume: (key: string, points: number) => {
        takes += 1;
        return store.consume(key, points);
      },
    });
    const counter = batchedCounter(5_000, () => counting);
    expect(await allowed(counter, "token", 6_000)).toBe(5_000);
    // Batches of 5: one store round trip per five requests, and one per refusal.
    expect(takes).toBe(1_000 + 1_000);
  });

  it("when two instances share one store, then together they stay within the limit", async () => {
    const store = limiter(2_000);
    const a = batchedCounter(2_000, () => store);
    const b = batchedCounter(2_000, () => store);
    let n = 0;
    for (let i = 0; i < 1_500; i++) {
      if ((await a.take("t")) === null) n += 1;
      if ((await b.take("t")) === null) n += 1;
    }
    expect(n).toBe(2_000);
  });

  it("when many requests of one key arrive at once, then they share a batch and the store counts what they took", async () => {
    const store = limiter(10_000);
    const counter = batchedCounter(10_000, () => store);
    const answers = await Promise.all(Array.from({ length: 100 }, () => counter.take("token")));
    expect(answers.every((a) => a === null)).toBe(true);
    // Batches of 10: ten takes from the store, not one batch for each request that found no credit.
    expect((await store.get("token"))?.consumedPoints).toBe(100);
  });

  it("when more requests arrive at once than the limit allows, then exactly the limit passes", async () => {
    const counter = batchedCounter(2_000, () => limiter(2_000));
    const answers = await Promise.all(Array.from({ length: 3_000 }, () => counter.take("token")));
    expect(answers.filter((a) => a === null)).toHaveLength(2_000);
    expect(answers.filter((a) => a !== null && a > 0)).toHaveLength(1_000);
  });
});
