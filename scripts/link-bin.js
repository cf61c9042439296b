// Makes `npx sso-bridge ...` work inside this checkout (as the README's quickstart runs it): npx finds local
// commands in node_modules/.bin, where npm links the bins of dependencies but not the
// project's own. Run by `npm install` (postinstall).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const binDir = path.join(__dirname, "..", "node_modules", ".bin");
const link = path.join(binDir, "sso-bridge");
fs.mkdirSync(binDir, { recursive: true });
try {
  fs.unlinkSync(link);
} catch {
  // not linked yet
}
fs.symlinkSync(path.join("..", "..", "bin", "sso-bridge.js"), link);
