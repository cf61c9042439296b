// PGlite lets one process at a time open a data directory. Whoever opens it (the server or
// the CLI when no server runs) holds DATA_DIR/pglite.lock with its pid; a lock whose pid is
// gone is stale and taken over.
import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { makePrivateDir } from "../db/data-dir";

export class DataDirLockedError extends Error {
  constructor(readonly pid: number) {
    super(`another sso-bridge process (pid ${pid}) is using this DATA_DIR`);
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

const lockFile = (dataDir: string) => path.join(dataDir, "pglite.lock");

/** True while a live process (a starting or running server) holds DATA_DIR. */
export function dataDirLockHeld(dataDir: string): boolean {
  const file = lockFile(dataDir);
  if (!existsSync(file)) return false;
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
    return Number.isInteger(pid) && pid !== process.pid && alive(pid);
  } catch {
    return false; // released between the two calls
  }
}

export function acquireDataDirLock(dataDir: string): () => void {
  makePrivateDir(dataDir);
  const file = lockFile(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, "utf8") === String(process.pid)) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) throw new DataDirLockedError(pid);
      unlinkSync(file);
    }
  }
  throw new Error(`could not take ${file}`);
}
