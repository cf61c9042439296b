#!/usr/bin/env node
// Entry point of the `sso-bridge` command (compiled by `npm install`).
"use strict";
const { main } = require("../dist/cli/main.js");
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`sso-bridge: ${e && e.message ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
