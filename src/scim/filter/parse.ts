// SCIM filter and PATCH path grammar (RFC 7644 3.4.2.2 and 3.5.2) parsed into a small AST.
// Precedence: not > and > or; value paths `emails[type eq "work"]`; URN-prefixed attributes
// (`urn:...:enterprise:2.0:User:manager.value`). Bad input throws AppError invalidFilter/invalidPath.
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
  if (token.kind === "string") return JSON.parse(token.text) as string;
  if (token.kind === "word") {
    const lower = token.text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    if (lower === "null") return null;
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token.text)) return Number(token.text);
  }
  return fail(`"${token.text}" is not a valid comparison value`);
}

class Parser {
  private i = 0;
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
    let left = this.and();
    while (this.isWord(this.peek(), "or")) {
      this.next();
      left = { kind: "or", left, right: this.and() };
    }
    return left;
  }

  and(): Filter {
    let left = this.unary();
    while (this.isWord(this.peek(), "and")) {
      this.next();
      left = { kind: "and", left, right: this.unary() };
    }
    return left;
  }

  unary(): Filter {
    const t = this.peek();
    if (this.isWord(t, "not")) {
      this.next();
      this.expect("(");
      const filter = this.or();
      this.expect(")");
      return { kind: "not", filter };
    }
    if (t?.kind === "punct" && t.text === "(") {
      this.next();
      const inner = this.or();
      this.expect(")");
      return inner;
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
      const filter = this.or();
      this.expect("]");
      return { kind: "valuePath", path, filter };
    }
    const op = this.next();
    const opText = op?.kind === "word" ? op.text.toLowerCase() : "";
    if (opText === "pr") return { kind: "pr", path };
    if (!COMPARE_OPS.has(opText)) return this.fail(`"${op?.text ?? ""}" is not a filter operator`);
    return { kind: "cmp", path, op: opText as CompareOp, value: literal(this.next(), this.fail) };
  }
}

export function parseFilter(input: string): Filter {
  const fail = (m: string): never => {
    throw new AppError("bad_request", `invalid filter: ${m}`, { scimType: "invalidFilter" });
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
