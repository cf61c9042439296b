// Two projects: every test on PGlite, and the integration suites again on PostgreSQL
// when TEST_DATABASE_URL is set (each run in a database of its own, dropped afterwards).
const base = {
  preset: "ts-jest",
  testEnvironment: "<rootDir>/test/support/environment.ts",
  transform: {
    "^.+\\.[tj]sx?$": [
      "ts-jest",
      { tsconfig: "test/tsconfig.json", isolatedModules: true, diagnostics: false },
    ],
  },
  transformIgnorePatterns: [
    "/node_modules/(?!(openid-client|oauth4webapi|jose|oidc-provider|@noble/hashes|@scure/base)/)",
  ],
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/support/global-teardown.ts",
};

const projects = [{ ...base, displayName: "pglite", testMatch: ["<rootDir>/test/**/*.test.ts"] }];
if (process.env.TEST_DATABASE_URL) {
  projects.push({
    ...base,
    displayName: "postgres",
    // Unit tests (test/unit) do not touch a database: run them once.
    testMatch: ["<rootDir>/test/**/*.test.ts"],
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/unit/"],
    globals: { __DB_KIND__: "postgres" },
  });
}

// testTimeout is a global option (ignored inside projects). Generous: the machine is shared.
// Workers are kept between test files until one holds 2 GB of resident memory, then replaced:
// each PGlite file's realm, its WebAssembly memory (about 250 MB) with it, stays alive in the
// worker (node's registry of dynamic-import callbacks, which --experimental-vm-modules fills and
// PGlite needs, holds it: docs/testing.md). The JavaScript heap that jest measures does not show
// it, so the test environment (test/support/environment.ts) hands jest the resident set. A new
// worker per file (the limit at 0) cost each file a process start; keeping them with no limit
// grew one to 9 GB.
module.exports = { projects, maxWorkers: 2, testTimeout: 60000, workerIdleMemoryLimit: "2GB" };
