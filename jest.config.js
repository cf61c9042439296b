// Two projects: every test on PGlite, and the integration suites again on PostgreSQL
// when TEST_DATABASE_URL is set (each run in a database of its own, dropped afterwards).
const base = {
  preset: "ts-jest",
  testEnvironment: "node",
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
// A worker whose JavaScript heap passed the limit after a file is replaced. (PGlite's WebAssembly
// memory is outside that heap: scripts/test.mjs runs each project with workers of its own.)
module.exports = { projects, maxWorkers: 2, testTimeout: 60000, workerIdleMemoryLimit: "2GB" };
