// The test environment: jest's node environment, with the memory a worker is judged by made its
// resident set. jest restarts a worker between test files when the number its child reads from
// process.memoryUsage().heapUsed passes workerIdleMemoryLimit (jest.config.js); the JavaScript
// heap alone does not see PGlite's WebAssembly memory, which an earlier file keeps alive when it
// leaves a server or socket open (its handle holds that file's whole module graph). The resident
// set does, so a reused worker is restarted once it holds too much, whatever holds it.
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

export default class TestEnvironment extends NodeEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    // The tests themselves see node's own numbers.
    if (this.global.process) this.global.process.memoryUsage = ownMemoryUsage;
  }
}
