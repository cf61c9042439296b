// SCIM filter and PATCH path grammar (RFC 7644 3.4.2.2 and 3.5.2) parsed into a small AST.
// Precedence: not > and > or; value paths `emails[type eq "work"]`; URN-prefixed attributes
// (`urn:...:enterprise:2.0:User:manager.value`). Bad input throws AppError invalidFilter/invalidPath.
// Bounded: MAX_FILTER_DEPTH nested groups and MAX_FILTER_TERMS comparisons, and and/or chains
// built as balanced trees, so that nothing downstream recurses deeper than a few dozen levels.
import { AppError } from "../../shared/errors";

export type CompareOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";
export type Literal = string | number | boolean | null;

export interface AttrPath {
  /** Schema URN when the path was written fully qualified (lower-cased). */
  urn?: string;
  attr: string;
  sub?: string;
}

export type Filter =
  | { kind: "and" | "or"; left: Filter; right: Filter }
  | { kind: "not"; filter: Filter }
  | { kind: "cmp"; path: AttrPath; op: CompareOp; value: Literal }
  | { kind: "pr"; path: AttrPath }
  | { kind: "valuePath"; path: AttrPath; filter: Filter };

/** A PATCH path: `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`. */
export interface PatchPath {
  path: AttrPath;
  filter?: Filter;
}

/** Nested parentheses, `not (...)` and value paths `[...]`, counted together. */
export const MAX_FILTER_DEPTH = 32;
/** Comparisons and presence tests in one filter. */
export const MAX_FILTER_TERMS = 200;

const COMPARE_OPS = new Set(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
const TOKEN = /\s*(?:(\(|\)|\[|\])|("(?:[^"\\]|\\.)*")|([^\s()[\]"]+))/y;

type Token = { kind: "punct" | "string" | "word"; text: string };

function tokenize(input: string, fail: (m: string) => never): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < input.length) {
    if (/^\s*$/.test(input.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(input);
    if (!m) fail(`unexpected text at position ${TOKEN.lastIndex}`);
    if (m[1]) tokens.push({ kind: "punct", text: m[1] });
    else if (m[2]) tokens.push({ kind: "string", text: m[2] });
    else tokens.push({ kind: "word", text: m[3] as string });
  }
  return tokens;
}

/** `urn:...:User:manager.value` → {urn, attr: "manager", sub: "value"}. */
export function parseAttrPath(text: string, fail: (m: string) => never): AttrPath {
  let urn: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const cut = text.lastIndexOf(":");
    urn = text.slice(0, cut).toLowerCase();
    rest = text.slice(cut + 1);
  }
  const m = /^([A-Za-z$][\w$-]*)(?:\.([A-Za-z$][\w$-]*))?$/.exec(rest);
  if (!m) fail(`"${text}" is not an attribute path`);
  return { urn, attr: m[1] as string, ...(m[2] ? { sub: m[2] } : {}) };
}

function literal(token: Token | undefined, fail: (m: string) => never): Literal {
  if (!token) fail("a comparison value is missing");
  if (token.kind === "string") {
    // The tokenizer's string is JSON's but for its escapes and control characters (`"\x"`, a
    // raw tab): a refusal of the filter, not a failure of the server.
    let text: string;
    try {
      text = JSON.parse(token.text) as string;
    } catch {
      return fail("a comparison value is not a valid string (JSON's escapes, no control characters)");
    }
    // PostgreSQL's text cannot hold NUL: refuse it here rather than as a database error.
    if (text.includes("\u0000")) fail("a comparison value holds a NUL character");
    return text;
  }
  if (token.kind === "word") {
    const lower = token.text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    if (lower === "null") return null;
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token.text)) return Number(token.text);
    // Liberal where nothing is ambiguous: whatever follows an operator is its value, so a bare
    // word or date (`userName sw O`, `meta.created gt 2015-10-10T14:38:21-07:00`) is a string.
    return token.text;
  }
  return fail(`"${token.text}" is not a valid comparison value`);
}

/** `a and b and c ...` as a balanced tree: its depth grows with the log of the chain's length. */
function balanced(kind: "and" | "or", items: Filter[]): Filter {
  if (items.length === 1) return items[0] as Filter;
  const half = Math.ceil(items.length / 2);
  return { kind, left: balanced(kind, items.slice(0, half)), right: balanced(kind, items.slice(half)) };
}

class Parser {
  private i = 0;
  private depth = 0;
  private terms = 0;
  constructor(
    private readonly tokens: Token[],
    readonly fail: (m: string) => never,
  ) {}

  peek = (): Token | undefined => this.tokens[this.i];
  next = (): Token | undefined => this.tokens[this.i++];
  done = (): boolean => this.i >= this.tokens.length;
  isWord = (t: Token | undefined, w: string) => t?.kind === "word" && t.text.toLowerCase() === w;

  expect(text: string): void {
    const t = this.next();
    if (t?.kind !== "punct" || t.text !== text) this.fail(`expected "${text}"`);
  }

  or(): Filter {
    const items = [this.and()];
    while (this.isWord(this.peek(), "or")) {
      this.next();
      items.push(this.and());
    }
    return balanced("or", items);
  }

  and(): Filter {
    const items = [this.unary()];
    while (this.isWord(this.peek(), "and")) {
      this.next();
      items.push(this.unary());
    }
    return balanced("and", items);
  }

  /** The filter inside a bracket that was just opened, and the closing bracket. */
  nested(close: string): Filter {
    if (++this.depth > MAX_FILTER_DEPTH)
      this.fail(`nested deeper than ${MAX_FILTER_DEPTH} levels of parentheses, not() or [...]`);
    const inner = this.or();
    this.expect(close);
    this.depth--;
    return inner;
  }

  term(): void {
    if (++this.terms > MAX_FILTER_TERMS) this.fail(`more than ${MAX_FILTER_TERMS} comparisons`);
  }

  unary(): Filter {
    const t = this.peek();
    if (this.isWord(t, "not")) {
      this.next();
      this.expect("(");
      return { kind: "not", filter: this.nested(")") };
    }
    if (t?.kind === "punct" && t.text === "(") {
      this.next();
      return this.nested(")");
    }
    return this.comparison();
  }

  comparison(): Filter {
    const t = this.next();
    if (t?.kind !== "word") return this.fail("an attribute name is missing");
    const path = parseAttrPath(t.text, this.fail);
    const after = this.peek();
    if (after?.kind === "punct" && after.text === "[") {
      this.next();
      const filter = this.nested("]");
      const sub = this.peek();
      if (sub?.kind !== "word" || !sub.text.startsWith(".")) return { kind: "valuePath", path, filter };
      // `emails[type eq "work"].value eq "x"` (RFC 7644 3.4.2.2 valuePath with a sub-attribute):
      // an element of emails is of type work and its value is "x", i.e. one value path whose
      // filter is both conditions.
      this.next();
      if (path.sub)
        this.fail(`"${t.text}[...]${sub.text}": a value filter must follow a multi-valued attribute`);
      const element = parseAttrPath(sub.text.slice(1), this.fail);
      if (element.sub || element.urn) this.fail(`"${sub.text}" is not a sub-attribute`);
      return { kind: "valuePath", path, filter: { kind: "and", left: filter, right: this.test(element) } };
    }
    return this.test(path);
  }

  /** The operator and value after an attribute path. */
  test(path: AttrPath): Filter {
    this.term();
    const op = this.next();
    const opText = op?.kind === "word" ? op.text.toLowerCase() : "";
    if (opText === "pr") return { kind: "pr", path };
    if (!COMPARE_OPS.has(opText)) return this.fail(`"${op?.text ?? ""}" is not a filter operator`);
    return { kind: "cmp", path, op: opText as CompareOp, value: literal(this.next(), this.fail) };
  }
}

/**
 * `attr eq "string"`, the filter of the lookup every IdP sends before a create (`userName eq`,
 * `displayName eq`): read by one expression instead of the tokenizer and the parser, on every
 * sync's hottest request. Its parts are the tokenizer's (the same string token and whitespace),
 * and its tree is built by the parser's own parseAttrPath and literal, so it is the tree the
 * parser builds for the same text; test/unit/scim-filter-fast-path.test.ts holds the two equal.
 * Anything else (a URN, a sub-attribute, another operator or value, `eq"x"`) is left to the parser.
 */
const ATTR_EQ_STRING = /^\s*([A-Za-z$][\w$-]*)\s+eq\s+("(?:[^"\\]|\\.)*")\s*$/i;

export function parseFilter(input: string): Filter {
  const fail = (m: string): never => {
    throw new AppError("bad_request", `invalid filter: ${m}`, { scimType: "invalidFilter" });
  };
  const eq = ATTR_EQ_STRING.exec(input);
  if (eq)
    return {
      kind: "cmp",
      path: parseAttrPath(eq[1] as string, fail),
      op: "eq",
      value: literal({ kind: "string", text: eq[2] as string }, fail),
    };
  const parser = new Parser(tokenize(input, fail), fail);
  if (parser.done()) fail("the filter is empty");
  const filter = parser.or();
  if (!parser.done()) fail(`unexpected "${parser.peek()?.text}"`);
  return filter;
}

export function parsePatchPath(input: string): PatchPath {
  const fail = (m: string): never => {
    throw new AppError("bad_request", `invalid path: ${m}`, { scimType: "invalidPath" });
  };
  const m = /^([^[]+)(?:\[(.*)\](?:\.([A-Za-z$][\w$-]*))?)?$/s.exec(input.trim());
  if (!m) return fail(`"${input}" is not a PATCH path`);
  const path = parseAttrPath(m[1] as string, fail);
  if (m[2] === undefined) return { path };
  if (path.sub) fail(`"${input}": a value filter must follow a multi-valued attribute`);
  const filter = parseFilter(m[2]);
  return { path: { ...path, ...(m[3] ? { sub: m[3] } : {}) }, filter };
}
