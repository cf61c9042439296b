// The webhook worker: hands outbox events out as deliveries, claims the ones due, sends them and
// records each result, in a loop until stopped. It runs inside the server (src/main.ts) and as
// `sso-bridge worker`; any number of them may share one PostgreSQL database (fan-out.ts, claim.ts).
// Each step is a short transaction and the HTTP requests are made outside any, so on PGlite's
// single connection requests keep being served between the steps. stop() aborts the requests in
// flight and gives their claims back: a restarted worker sends those again at once (at least once).
import { setMaxListeners } from "node:events";
import type { Database } from "../db/client";
import type { Cipher } from "../shared/crypto";
import type { GuardedFetch } from "../shared/guarded-fetch";
import type { Logger } from "../shared/logger";
import { claimDeliveries, releaseClaims, type ClaimedDelivery } from "./claim";
import { envelopeOf } from "../events/envelope";
import { FAN_OUT_BATCH, fanOut } from "./fan-out";
import { finishAttempt, type Outcome } from "./finish";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry";
import { sendMessage } from "./send";

export interface WorkerOptions {
  /** Sleep between polls while there is nothing to do. */
  idleMs: number;
  /** Deliveries claimed and sent at once. */
  batchSize: number;
  /** One request's limit (15 s). */
  timeoutMs: number;
  retry: RetryPolicy;
  /** Random source of the jitter (tests pin it). */
  random?: () => number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  idleMs: 250,
  batchSize: 25,
  timeoutMs: 15_000,
  retry: DEFAULT_RETRY,
};

export interface WorkerDeps {
  db: Pick<Database, "transaction" | "direct">;
  cipher: Cipher;
  fetch: GuardedFetch;
  logger: Logger;
  clock: () => Date;
}

/** The secrets that sign a message now: the current one, and the previous one until it expires. */
function secretsOf(d: ClaimedDelivery, cipher: Cipher, now: Date): string[] {
  const secrets = [cipher.decrypt(d.secret)];
  if (d.previousSecret && d.previousSecretExpiresAt && d.previousSecretExpiresAt > now) {
    secrets.push(cipher.decrypt(d.previousSecret));
  }
  return secrets;
}

export function createWebhookWorker(deps: WorkerDeps, overrides: Partial<WorkerOptions> = {}) {
  const options = { ...DEFAULT_WORKER_OPTIONS, ...overrides };
  // The claim outlives a request that runs to its timeout, with room for recording its result.
  const leaseMs = options.timeoutMs * 2 + 30_000;
  let stopper = new AbortController();
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  // A wake-up that came while the loop was not sleeping: its next sleep returns at once.
  let woken = false;
  const wakeUp = () => (wake ? wake() : (woken = true));

  async function deliver(d: ClaimedDelivery, stop: AbortSignal): Promise<Outcome | null> {
    const now = deps.clock();
    const event = { id: d.eventId, type: d.type, payload: d.payload, createdAt: d.occurredAt };
    const body = JSON.stringify(envelopeOf(event, { id: d.orgId, slug: d.orgSlug }));
    const result = await sendMessage(
      { fetch: deps.fetch, clock: deps.clock, timeoutMs: options.timeoutMs },
      d.url,
      { id: d.eventId, body, secrets: secretsOf(d, deps.cipher, now) },
      stop,
    );
    if (result.abandoned) {
      await releaseClaims(deps.db, [d.id], d.token);
      return null;
    }
    return finishAttempt(deps.db, {
      delivery: d,
      result,
      now: deps.clock(),
      policy: options.retry,
      random: options.random,
    });
  }

  /** One pass: fan out, then claim and send one batch. Returns how many deliveries it sent. */
  async function runOnce(stop: AbortSignal = new AbortController().signal): Promise<number> {
    await fanOut(deps.db, deps.clock());
    if (stop.aborted) return 0;
    const claimed = await claimDeliveries(deps.db, {
      now: deps.clock(),
      leaseMs,
      limit: options.batchSize,
    });
    const results = await Promise.allSettled(claimed.map((d) => deliver(d, stop)));
    for (const r of results) {
      // The claim lapses and another pass sends it again.
      if (r.status === "rejected")
        deps.logger.warn("webhook delivery failed to record", { error: String(r.reason) });
    }
    return claimed.length;
  }

  const sleep = (ms: number, stop: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (woken || stop.aborted) {
        woken = false;
        return resolve();
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        stop.removeEventListener("abort", done);
        wake = null;
        resolve();
      }
      wake = done;
      stop.addEventListener("abort", done);
    });

  // Keeps up to batchSize requests in flight: claims again once half of them have finished,
  // so one slow receiver does not hold up the others.
  async function run(stop: AbortSignal): Promise<void> {
    const inFlight = new Set<Promise<unknown>>();
    const half = Math.ceil(options.batchSize / 2);
    // Fan out again at once while there is a backlog, otherwise once per idle period: a pass
    // that finds nothing is a transaction of its own on every completed request.
    let fannedAt = 0;
    let backlog = true;
    while (!stop.aborted) {
      try {
        if (backlog || Date.now() - fannedAt >= options.idleMs) {
          backlog = (await fanOut(deps.db, deps.clock(), FAN_OUT_BATCH)) === FAN_OUT_BATCH;
          fannedAt = Date.now();
        }
        const free = options.batchSize - inFlight.size;
        const claimed =
          free >= half && !stop.aborted
            ? await claimDeliveries(deps.db, { now: deps.clock(), leaseMs, limit: free })
            : [];
        for (const d of claimed) {
          const sending: Promise<unknown> = deliver(d, stop)
            .catch((e: unknown) =>
              deps.logger.warn("webhook delivery failed to record", { error: String(e) }),
            )
            .finally(() => {
              inFlight.delete(sending);
              wakeUp();
            });
          inFlight.add(sending);
        }
        // Idle, or waiting for requests to finish: a finished one ends the wait (wake).
        if (inFlight.size === 0 || claimed.length === 0 || inFlight.size >= half)
          await sleep(options.idleMs, stop);
        else await new Promise((r) => setImmediate(r));
      } catch (e) {
        if (stop.aborted) break;
        deps.logger.warn("webhook worker pass failed", { error: (e as Error).message });
        await sleep(options.idleMs * 4, stop);
      }
    }
    await Promise.allSettled([...inFlight]);
  }

  return {
    runOnce,
    start(): void {
      if (loop) return;
      stopper = new AbortController();
      // Each request in flight listens to it (sendMessage's combined signal).
      setMaxListeners(options.batchSize * 2 + 10, stopper.signal);
      loop = run(stopper.signal);
    },
    /** Ends the next idle wait now (after a commit that should go out without waiting). */
    nudge(): void {
      wakeUp();
    },
    async stop(): Promise<void> {
      stopper.abort();
      await loop;
      loop = null;
    },
  };
}

export type WebhookWorker = ReturnType<typeof createWebhookWorker>;
