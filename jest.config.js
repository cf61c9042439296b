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
// A new worker process for every test file: a worker keeps the WebAssembly memory of every PGlite
// it opened until it exits (jest's memory limit sees only the JavaScript heap), and a full run
// grew two of them until the kernel killed one.
module.exports = { projects, maxWorkers: 2, testTimeout: 60000, workerIdleMemoryLimit: 0 };
