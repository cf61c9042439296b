// Prints sso_bridge_fold, the SQL twin of src/shared/fold.ts, from the JavaScript fold itself
// (run `npm run build` first): the default-ignorable code points as a regex class and every
// character whose foldChar differs as a JSON map. A migration that recomputes stored identity
// keys after a Unicode update creates the function anew from this output;
// test/unit/fold.test.ts holds the function equal to fold() on both databases.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { foldChar } = require("../dist/shared/fold.js");

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;
const hex = (c) =>
  c <= 0xffff ? `\\u${c.toString(16).padStart(4, "0")}` : `\\U${c.toString(16).padStart(8, "0")}`;
const map = {};
const ranges = [];
let start = -1;
for (let c = 0; c <= 0x110000; c++) {
  const valid = c <= 0x10ffff && !(c >= 0xd800 && c <= 0xdfff);
  const ch = valid ? String.fromCodePoint(c) : "";
  const ignorable = valid && IGNORABLE.test(ch);
  if (ignorable && start < 0) start = c;
  if (!ignorable && start >= 0) {
    ranges.push(start === c - 1 ? hex(start) : `${hex(start)}-${hex(c - 1)}`);
    start = -1;
  }
  if (valid && !ignorable && foldChar(ch) !== ch) map[ch] = foldChar(ch);
}
// ASCII-only text: non-ASCII characters as JSON escapes (surrogate pairs above U+FFFF).
const json = JSON.stringify(map).replace(
  /[\u0080-\uffff]/g,
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
);
process.stdout.write(`CREATE FUNCTION "sso_bridge_fold"(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fold$
  SELECT normalize(coalesce(string_agg(coalesce(f.map ->> c.ch, c.ch), '' ORDER BY c.n), ''), NFKC)
  FROM regexp_split_to_table(regexp_replace(normalize(value, NFKC), '[${ranges.join("")}]', '', 'g'), '')
    WITH ORDINALITY AS c(ch, n),
    (SELECT '${json}'::jsonb AS map) f
$fold$;
`);
