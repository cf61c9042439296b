// Outside production a missing SECRET_KEY is generated once into DATA_DIR/secret.key
// (mode 0600) so that sessions and encrypted secrets survive restarts. Production must
// set it explicitly (loadConfig refuses to start without it).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Config, ReadyConfig } from "./index";

export function ensureSecretKey(config: Readonly<Config>, warn: (message: string) => void): ReadyConfig {
  if (config.secretKey) return config as ReadyConfig;
  const file = path.join(config.dataDir, "secret.key");
  let key: string;
  if (existsSync(file)) {
    key = readFileSync(file, "utf8").trim();
  } else {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    key = randomBytes(32).toString("base64url");
    writeFileSync(file, key + "\n", { mode: 0o600 });
    warn(`SECRET_KEY is not set: generated one into ${file}. Set SECRET_KEY explicitly in production.`);
  }
  return Object.freeze({ ...config, secretKey: key });
}
