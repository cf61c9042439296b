// The browser suite (npm run test:e2e): Debian's Chromium through playwright-core against the
// real app on 127.0.0.1, on PGlite and, when TEST_DATABASE_URL is set, on PostgreSQL too.
// Kept apart from `npm test`, whose projects match test/**/*.test.ts only.
const base = require("./jest.config.js").projects[0];

const common = {
  preset: base.preset,
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  transformIgnorePatterns: base.transformIgnorePatterns,
  globalSetup: base.globalSetup,
  globalTeardown: base.globalTeardown,
  testMatch: ["<rootDir>/test/e2e/**/*.e2e.ts"],
};

const projects = [{ ...common, displayName: "e2e-pglite" }];
if (process.env.TEST_DATABASE_URL) {
  projects.push({ ...common, displayName: "e2e-postgres", globals: { __DB_KIND__: "postgres" } });
}

// One browser per test file; two files at a time share the machine with the app and its database.
// A new worker process for every test file, as in jest.config.js (PGlite's WebAssembly memory).
module.exports = { projects, maxWorkers: 2, testTimeout: 60000, workerIdleMemoryLimit: 0 };
