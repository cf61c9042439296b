// Issue 14 item 10: the embedded database's files hold password hashes (the WAL too): DATA_DIR
// is created 0700 and the database's files 0600, and a DATA_DIR left readable by others is
// closed at start with a warning.
import { chmodSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { boot } from "../../src/boot";
import { createLogger } from "../../src/shared/logger";
import { TEST_SECRET_KEY } from "../support/app";
import { tempDir } from "../support/temp-dir";

const modeOf = (p: string) => statSync(p).mode & 0o777;

/** Every file and directory under dir that group or others may read, write or enter. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(entry.parentPath, entry.name);
    if ((entry.isFile() || entry.isDirectory()) && (modeOf(p) & 0o077) !== 0)
      found.push(`${modeOf(p).toString(8)} ${p}`);
  }
  return found;
}

// The embedded database on purpose, whichever database the other tests of this run use.
const embedded = (dataDir: string) => ({ LOG_LEVEL: "error", DATA_DIR: dataDir });

test("when the embedded database is created, then DATA_DIR is 0700 and none of its files is readable by others", async () => {
  const dataDir = path.join(tempDir("sso-perm-"), "data");
  // No SECRET_KEY: the generated key file is written into DATA_DIR too.
  const booted = await boot(embedded(dataDir));
  try {
    await booted.db.prisma.organization.create({ data: { slug: "acme", name: "Acme" } });
  } finally {
    await booted.db.close();
  }
  expect(modeOf(dataDir)).toBe(0o700);
  expect(openToOthers(dataDir)).toEqual([]);
});

test("when DATA_DIR exists readable by others, then start makes it 0700 and warns", async () => {
  const dataDir = path.join(tempDir("sso-perm-"), "data");
  mkdirSync(dataDir);
  chmodSync(dataDir, 0o755);
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString("utf8"));
      cb();
    },
  });
  const booted = await boot(
    { ...embedded(dataDir), SECRET_KEY: TEST_SECRET_KEY },
    { logger: createLogger("warn", { stream }) },
  );
  await booted.db.close();
  expect(modeOf(dataDir)).toBe(0o700);
  expect(lines.join("")).toContain(`${dataDir} was readable by other users (mode 755): changed it to 700`);
});
