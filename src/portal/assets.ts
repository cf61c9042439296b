// The portal's static files: our stylesheet and script from src/portal/assets (the same path
// from src/ and from dist/, and the Docker image copies it).
// Each URL carries a hash of the file's content, so the files are cached for a year and a new
// release is fetched at once.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Router, type RequestHandler } from "express";

const OWN_DIR = path.resolve(__dirname, "../../src/portal/assets");

const FILES: Record<string, { file: string; type: string }> = {
  "portal.css": { file: path.join(OWN_DIR, "portal.css"), type: "text/css; charset=utf-8" },
  "portal.js": { file: path.join(OWN_DIR, "portal.js"), type: "text/javascript; charset=utf-8" },
};

interface Loaded {
  body: Buffer;
  type: string;
  hash: string;
}
const cache = new Map<string, Loaded>();

function load(name: string): Loaded | undefined {
  const known = cache.get(name);
  if (known) return known;
  const spec = FILES[name];
  if (!spec) return undefined;
  const body = readFileSync(spec.file);
  const loaded = {
    body,
    type: spec.type,
    hash: createHash("sha256").update(body).digest("hex").slice(0, 12),
  };
  cache.set(name, loaded);
  return loaded;
}

/** The URL of an asset, versioned by its content. */
export function assetUrl(name: keyof typeof FILES & string): string {
  const a = load(name);
  if (!a) throw new Error(`unknown portal asset ${name}`);
  return `/assets/${a.hash}/${name}`;
}

export function assetsRouter(): Router {
  const router = Router();
  const serve: RequestHandler = (req, res, next) => {
    const a = load(String(req.params.name));
    if (!a) return next();
    res
      .set("Cache-Control", "public, max-age=31536000, immutable")
      .set("X-Content-Type-Options", "nosniff")
      .type(a.type)
      .send(a.body);
  };
  // Any version answers the current file: a page cached across a release still gets its assets.
  router.get("/assets/:version/:name", serve);
  return router;
}
