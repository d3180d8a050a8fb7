// The small CEL subset Inngest functions in this project use, for trigger `if` expressions,
// `idempotency` and `concurrency.key`: literals (string, number, bool, null), paths rooted at an
// allowed variable (`event.data.userId`, `event.data["a-b"]`), `+` (numbers add; a string on either
// side concatenates), comparisons (== != < > <= >=), `&&`, `||`, `!`, unary `-` and parentheses.
// Anything else is a compile error, so a sync fails loudly instead of running a function that should
// have been filtered out.
//
// Deviation from CEL, documented in engine/README.md: a missing field reads as null instead of
// raising "no such key"; ordered comparisons between different types are false.
//
// Key expressions (idempotency, concurrency.key) are evaluated in "key mode", which follows
// Inngest's wrapper (notes §0.1/§12): a missing field is *unknown*; `unknown == null` is true, any
// other comparison with it is false, concatenation turns it into "", and an expression whose
// value is unknown as a whole reports `missing` (Inngest evaluates it to `false`).

export class CelError extends Error {
  override name = "CelError";
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

type Node =
  | { t: "lit"; v: Json }
  | { t: "path"; root: string; keys: string[] }
  | { t: "not"; e: Node }
  | { t: "neg"; e: Node }
  | { t: "bin"; op: string; l: Node; r: Node };

type Token = { k: "num" | "str" | "id" | "op" | "eof"; v: string; pos: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? "";
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c)) {
      const m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
      if (!m) throw new CelError(`bad number at ${i}`);
      out.push({ k: "num", v: m[0], pos: start });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let s = "";
      i++;
      for (;;) {
        const d = src[i];
        if (d === undefined) throw new CelError(`unterminated string at ${start}`);
        if (d === c) {
          i++;
          break;
        }
        if (d === "\\") {
          const e = src[i + 1];
          const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' };
          if (e === undefined || map[e] === undefined) throw new CelError(`unsupported escape at ${i}`);
          s += map[e];
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      out.push({ k: "str", v: s, pos: start });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
      const v = m?.[0] ?? c;
      out.push({ k: "id", v, pos: start });
      i += v.length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (["==", "!=", "<=", ">=", "&&", "||"].includes(two)) {
      out.push({ k: "op", v: two, pos: start });
      i += 2;
      continue;
    }
    if ("<>!+-().[]".includes(c)) {
      out.push({ k: "op", v: c, pos: start });
      i++;
      continue;
    }
    throw new CelError(`unsupported character ${JSON.stringify(c)} at ${i}`);
  }
  out.push({ k: "eof", v: "", pos: src.length });
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly roots: readonly string[],
  ) {}

  private peek(): Token {
    return this.toks[this.i] ?? { k: "eof", v: "", pos: -1 };
  }
  private next(): Token {
    const t = this.peek();
    this.i++;
    return t;
  }
  private isOp(v: string) {
    const t = this.peek();
    return t.k === "op" && t.v === v;
  }
  private expect(v: string) {
    const t = this.next();
    if (t.k !== "op" || t.v !== v) throw new CelError(`expected "${v}" at ${t.pos}`);
  }

  parse(): Node {
    const n = this.or();
    const t = this.peek();
    if (t.k !== "eof") throw new CelError(`unexpected ${JSON.stringify(t.v)} at ${t.pos}`);
    return n;
  }
  private or(): Node {
    let l = this.and();
    while (this.isOp("||")) {
      this.next();
      l = { t: "bin", op: "||", l, r: this.and() };
    }
    return l;
  }
  private and(): Node {
    let l = this.rel();
    while (this.isOp("&&")) {
      this.next();
      l = { t: "bin", op: "&&", l, r: this.rel() };
    }
    return l;
  }
  private rel(): Node {
    const l = this.add();
    const t = this.peek();
    if (t.k === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(t.v)) {
      this.next();
      const r = this.add();
      const n2 = this.peek();
      if (n2.k === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(n2.v)) {
        throw new CelError(`chained comparison at ${n2.pos}; use parentheses`);
      }
      return { t: "bin", op: t.v, l, r };
    }
    return l;
  }
  private add(): Node {
    let l = this.unary();
    while (this.isOp("+")) {
      this.next();
      l = { t: "bin", op: "+", l, r: this.unary() };
    }
    if (this.isOp("-")) throw new CelError(`binary "-" is not supported (at ${this.peek().pos})`);
    return l;
  }
  private unary(): Node {
    if (this.isOp("!")) {
      this.next();
      return { t: "not", e: this.unary() };
    }
    if (this.isOp("-")) {
      this.next();
      return { t: "neg", e: this.unary() };
    }
    return this.primary();
  }
  private primary(): Node {
    const t = this.next();
    if (t.k === "num") return { t: "lit", v: Number(t.v) };
    if (t.k === "str") return { t: "lit", v: t.v };
    if (t.k === "op" && t.v === "(") {
      const e = this.or();
      this.expect(")");
      return e;
    }
    if (t.k === "id") {
      if (t.v === "true") return { t: "lit", v: true };
      if (t.v === "false") return { t: "lit", v: false };
      if (t.v === "null") return { t: "lit", v: null };
      if (!this.roots.includes(t.v)) {
        throw new CelError(`unknown identifier "${t.v}" at ${t.pos} (allowed: ${this.roots.join(", ")})`);
      }
      const keys: string[] = [];
      for (;;) {
        if (this.isOp(".")) {
          this.next();
          const k = this.next();
          if (k.k !== "id") throw new CelError(`expected a field name at ${k.pos}`);
          if (this.isOp("(")) throw new CelError(`function calls are not supported ("${k.v}(" at ${k.pos})`);
          keys.push(k.v);
        } else if (this.isOp("[")) {
          this.next();
          const k = this.next();
          if (k.k !== "str" && k.k !== "num") throw new CelError(`expected a literal index at ${k.pos}`);
          keys.push(k.v);
          this.expect("]");
        } else break;
      }
      return { t: "path", root: t.v, keys };
    }
    throw new CelError(t.k === "eof" ? "unexpected end of expression" : `unexpected ${JSON.stringify(t.v)} at ${t.pos}`);
  }
}

export type Compiled = {
  source: string;
  evaluate(vars: Record<string, unknown>): unknown;
  /** Key mode: a missing field yields MISSING instead of null (see the header comment). */
  evaluateKeyMode(vars: Record<string, unknown>): unknown;
};

/** The value of a field that is absent (key mode only). */
export const MISSING: unique symbol = Symbol("missing");

export function compile(source: string, roots: readonly string[] = ["event"]): Compiled {
  if (typeof source !== "string" || !source.trim()) throw new CelError("empty expression");
  const ast = new Parser(tokenize(source), roots).parse();
  return { source, evaluate: (vars) => evalNode(ast, vars, false), evaluateKeyMode: (vars) => evalNode(ast, vars, true) };
}

/** Trigger filters: true only for a boolean true result. */
export function matches(c: Compiled, vars: Record<string, unknown>): boolean {
  try {
    return c.evaluate(vars) === true;
  } catch {
    return false;
  }
}

/**
 * Key expressions (idempotency, concurrency.key) in key mode: `missing` when the value is unknown
 * (a missing field), else the value as a string (`"u1"`, `42` → `"42"`, explicit null → `"null"`).
 * Evaluation errors are thrown.
 */
export type KeyValue = { missing: true } | { missing: false; key: string; isNull: boolean };

export function evaluateKey(c: Compiled, vars: Record<string, unknown>): KeyValue {
  const v = c.evaluateKeyMode(vars);
  if (v === MISSING) return { missing: true };
  return { missing: false, key: typeof v === "string" ? v : JSON.stringify(v ?? null), isNull: v === null };
}

function lookup(value: unknown, key: string, keyMode: boolean): unknown {
  const absent = keyMode ? MISSING : null;
  if (value === MISSING) return MISSING;
  if (value === null || value === undefined) return absent;
  if (Array.isArray(value)) {
    const idx = Number(key);
    return Number.isInteger(idx) && idx >= 0 && idx < value.length ? (value[idx] ?? null) : absent;
  }
  if (typeof value === "object") {
    const v = (value as Record<string, unknown>)[key];
    return v === undefined ? absent : v;
  }
  return absent;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

function evalNode(n: Node, vars: Record<string, unknown>, keyMode: boolean): unknown {
  switch (n.t) {
    case "lit":
      return n.v;
    case "path": {
      let v: unknown = vars[n.root] ?? null;
      for (const k of n.keys) v = lookup(v, k, keyMode);
      return v;
    }
    case "not": {
      const v = evalNode(n.e, vars, keyMode);
      if (v === MISSING) return MISSING;
      if (typeof v !== "boolean") throw new CelError("! applied to a non-boolean");
      return !v;
    }
    case "neg": {
      const v = evalNode(n.e, vars, keyMode);
      if (v === MISSING) return MISSING;
      if (typeof v !== "number") throw new CelError("- applied to a non-number");
      return -v;
    }
    case "bin": {
      if (n.op === "&&") {
        const l = evalNode(n.l, vars, keyMode);
        if (l === false) return false;
        const r = evalNode(n.r, vars, keyMode);
        if (l === MISSING || r === MISSING) return r === false ? false : MISSING;
        if (typeof l !== "boolean" || typeof r !== "boolean") throw new CelError("&& on non-booleans");
        return l && r;
      }
      if (n.op === "||") {
        const l = evalNode(n.l, vars, keyMode);
        if (l === true) return true;
        const r = evalNode(n.r, vars, keyMode);
        if (l === MISSING || r === MISSING) return r === true ? true : MISSING;
        if (typeof l !== "boolean" || typeof r !== "boolean") throw new CelError("|| on non-booleans");
        return l || r;
      }
      const l = evalNode(n.l, vars, keyMode);
      const r = evalNode(n.r, vars, keyMode);
      if (l === MISSING || r === MISSING) {
        // Inngest: unknown == null is true, any other comparison with an unknown is false, and
        // concatenation drops it.
        if (n.op === "==") return (l === MISSING || l === null) && (r === MISSING || r === null);
        if (n.op === "+") {
          if (typeof l === "string" || typeof r === "string") return `${l === MISSING ? "" : toText(l)}${r === MISSING ? "" : toText(r)}`;
          return MISSING;
        }
        return false;
      }
      switch (n.op) {
        case "==":
          return equal(l, r);
        case "!=":
          return !equal(l, r);
        case "+":
          if (typeof l === "number" && typeof r === "number") return l + r;
          if (typeof l === "string" || typeof r === "string") return `${toText(l)}${toText(r)}`;
          throw new CelError("+ on unsupported types");
        default: {
          const comparable =
            (typeof l === "number" && typeof r === "number") || (typeof l === "string" && typeof r === "string");
          if (!comparable) return false;
          const a = l as number | string;
          const b = r as number | string;
          if (n.op === "<") return a < b;
          if (n.op === ">") return a > b;
          if (n.op === "<=") return a <= b;
          return a >= b;
        }
      }
    }
  }
}

function toText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v ?? null);
}
