// The test environment: jest's node environment, with the memory a worker is judged by made its
// resident set. jest restarts a worker between test files when the number its child reads from
// process.memoryUsage().heapUsed passes workerIdleMemoryLimit (jest.config.js); the JavaScript
// heap alone does not see PGlite's WebAssembly memory, which stays alive in the worker while
// anything of an earlier file's realm does. The resident set does, so a reused worker is
// restarted once it holds too much, whatever holds it.
//
// What a file leaves running is stopped at its end: every resource node makes inside a test
// carries jest-circus's async-context store (the running test or hook, and through its closures
// the file's app and database), so a timer or handle still pending holds the whole realm. prom-
// client's default metrics (one per app, http/middleware/metrics.ts) start an event-loop-delay
// histogram that samples every 10 ms and is never stopped; the in-memory rate limiters arm a
// 60 s timer per key. Their histograms are disabled and forget the store; the file's pending
// timers are cleared.
import perfHooks, { type IntervalHistogram } from "node:perf_hooks";
import NodeEnvironment from "jest-environment-node";
import type { EnvironmentContext, JestEnvironmentConfig } from "@jest/environment";

const ownMemoryUsage = process.memoryUsage;
const patched = Symbol.for("sso-bridge.test.rssAsHeapUsed");
if (!(patched in ownMemoryUsage)) {
  process.memoryUsage = Object.assign(
    () => {
      const usage = ownMemoryUsage.call(process);
      return { ...usage, heapUsed: usage.rss };
    },
    { rss: () => ownMemoryUsage.rss(), [patched]: true },
  );
}

const histograms = new Set<IntervalHistogram>();
const ownMonitor = perfHooks.monitorEventLoopDelay;
perfHooks.monitorEventLoopDelay = (options) => {
  const h = ownMonitor(options);
  histograms.add(h);
  return h;
};

const symbolProperty = (o: object, description: string): object | undefined => {
  const key = Object.getOwnPropertySymbols(o).find((k) => k.description === description);
  return key && (o as Record<symbol, object | undefined>)[key];
};
const forgetStores = (o: object) => {
  for (const key of Object.getOwnPropertySymbols(o))
    if (key.description === "kResourceStore") delete (o as Record<symbol, unknown>)[key];
};

export default class TestEnvironment extends NodeEnvironment {
  /** The file's timers still pending: cleared at its end (see the top of this file). */
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    // The tests themselves see node's own numbers.
    if (this.global.process) this.global.process.memoryUsage = ownMemoryUsage;
    this.trackTimers();
  }

  private trackTimers(): void {
    const g = this.global as unknown as typeof globalThis;
    const pending = this.pending;
    const { setTimeout: ownSetTimeout, setInterval: ownSetInterval } = g;
    const { clearTimeout: ownClearTimeout, clearInterval: ownClearInterval } = g;
    g.setTimeout = Object.assign((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      if (typeof fn !== "function") return ownSetTimeout(fn, ms, ...args); // node's own refusal
      const t: NodeJS.Timeout = ownSetTimeout(
        function (this: unknown, ...a: unknown[]) {
          pending.delete(t);
          fn.apply(this, a);
        },
        ms,
        ...args,
      );
      pending.add(t);
      return t;
    }, ownSetTimeout) as typeof setTimeout;
    g.setInterval = Object.assign((...a: Parameters<typeof setInterval>) => {
      const t = ownSetInterval(...a);
      pending.add(t);
      return t;
    }, ownSetInterval) as typeof setInterval;
    const untracking =
      (clear: (t?: NodeJS.Timeout | string | number) => void) => (t?: NodeJS.Timeout | string | number) => {
        if (t && typeof t === "object") pending.delete(t);
        clear(t);
      };
    g.clearTimeout = untracking(ownClearTimeout) as typeof clearTimeout;
    g.clearInterval = untracking(ownClearInterval) as typeof clearInterval;
  }

  override async teardown(): Promise<void> {
    for (const h of histograms) {
      h.disable();
      const handle = symbolProperty(h, "kHandle");
      if (handle) forgetStores(handle);
    }
    histograms.clear();
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    await super.teardown();
  }
}
