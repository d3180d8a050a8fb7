// The abuse suite (`npm run abuse`; bounded in `npm test` through e2e/abuse.spec.ts): generated
// hostile requests (fast-check) against every public route, page and server action of
// `next start`, and every admin page, route and action called by an anonymous and a member caller.
// What must hold, for every response: no 5xx (and no hang); a refusal (4xx) carries a message; no
// password hash, session token or stack trace in any body or header. Admin targets are enumerated
// from the route tree (app/**/page.tsx, app/**/route.ts) and the build's server-action manifest,
// so a new admin route or action is covered without editing this file.
import { createHmac, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import fc from "fast-check";
import pg from "pg";
import sharp from "sharp";
import { hashPassword } from "../../lib/accounts/password";
import { INTERNAL_FORM_ERROR } from "../../lib/action-state";
import { UNPAIRED_SURROGATE } from "../../lib/text";
import { hashToken, newSessionToken } from "../../lib/accounts/session-tokens";
import { startStack } from "./stack";
import { REQUEST_BOUND_MS } from "./people";
import { pool } from "./pool";

export const ABUSE_PORTS = { app: 3726, engine: 8726, mail: 4726, pg: 54726 };

export type AbuseRow = { target: string; requests: number; status: string; fiveHundreds: number; silentRefusals: number; leaks: number; notRefused: number; ok: boolean; examples: string[] };

// --- the route tree ----------------------------------------------------------------------------------

export type RouteEntry = { kind: "page" | "route"; pattern: string; methods: string[]; admin: boolean };

/** Every page and route handler under app/, with its URL pattern (route groups dropped) and methods. */
export function routeTree(appDir = "app"): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (dir: string, segments: string[]) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        const segment = /^\(.*\)$/.test(entry.name) ? null : entry.name;
        walk(full, segment ? [...segments, segment] : segments);
      } else if (entry.name === "page.tsx" || entry.name === "route.ts") {
        const pattern = `/${segments.join("/")}`;
        const kind = entry.name === "page.tsx" ? "page" : "route";
        const source = fs.readFileSync(full, "utf8");
        const methods = kind === "page" ? ["GET"] : [...source.matchAll(/export (?:(?:async )?function|const) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
        out.push({ kind, pattern, methods, admin: /^\/(api\/)?admin(\/|$)/.test(pattern) });
      }
    }
  };
  walk(appDir, []);
  return out.sort((a, b) => a.pattern.localeCompare(b.pattern));
}

export type ActionEntry = { id: string; name: string; file: string; pages: string[]; access: string; admin: boolean };

/** Every server action in the build, with the page it is used on and the access its source declares. */
export function serverActions(manifestFile = ".next/server/server-reference-manifest.json"): ActionEntry[] {
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as { node: Record<string, { workers: Record<string, unknown>; filename?: string; exportedName?: string }> };
  return Object.entries(manifest.node).map(([id, entry]) => {
    const file = entry.filename ?? "";
    const source = file && fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const access = /access:\s*"(\w+)"/.exec(source)?.[1] ?? "unknown";
    const pages = Object.keys(entry.workers).map((w) => w.replace(/^app/, "").replace(/\/page$/, "").replace(/\/\([^)]*\)/g, "") || "/");
    // Used on an admin page only, or declared ADMIN: an admin action.
    const admin = access === "ADMIN" || (pages.length > 0 && pages.every((p) => p.startsWith("/admin")));
    return { id, name: entry.exportedName ?? "?", file, pages, access, admin };
  });
}

// --- generators ---------------------------------------------------------------------------------------

const unicodeEdge = fc.constantFrom(
  "\u0000", "\uFEFF", "\u202E", "\uD800", "\uDFFF", "\u{1F600}", "e\u0301", "\u200B", "ＡＤＭＩＮ", "İ", "ß", "\r\n", "%00", "%", "\\", "'\"<>&", "${7*7}", "{{7*7}}", "<script>alert(1)</script>", "' or 1=1 --",
);
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.array(unicodeEdge, { minLength: 1, maxLength: 8 }).map((parts) => parts.join("")),
  fc.integer({ min: 300, max: 70_000 }).map((n) => "x".repeat(n)),
  fc.constantFrom("../../../../etc/passwd", "..\\..\\windows\\win.ini", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/dev/zero", "avatars/../../.env", "CON", "a@b.c\r\nBcc: victim@example.com"),
  fc.emailAddress(),
);
/**
 * For URLs and cookies: Node's HTTP parser refuses a request head over 16 KB with a bare 431 before
 * the app sees it (nothing of ours can add a message there), so those stay under it; huge values
 * go in bodies, where the app's own caps answer.
 */
const headerString = hostileString.map((s) => s.slice(0, 2_000));
/** encodeURIComponent throws on a lone surrogate; a browser sends U+FFFD for it. */
const encode = (s: string) => encodeURIComponent(s.replace(new RegExp(UNPAIRED_SURROGATE, "g"), "\uFFFD"));
const wrongType = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 2 }));
const fieldValue = fc.oneof(hostileString, wrongType);

/**
 * A sign-up whose fields are valid but one, which is hostile: a value reaches the database only past
 * the checks of the other fields. A NUL in the name was a 500 this way, never found while every
 * field was hostile at once (the email or the password stopped those requests first).
 */
const SIGN_UP_FIELDS = ["name", "email", "password"] as const;
const validSignUp = (id: string) => ({ name: "Abuse Person", email: `abuse-${id}@example.com`, password: "a long enough password" });
// Mostly ordinary text with edge characters in it (NUL, half a surrogate pair, RTL override…),
// which pass most checks and meet the database; sometimes any hostile value.
const edgyText = fc.tuple(fc.constantFrom("Ada ", "", "x"), fc.array(unicodeEdge, { minLength: 1, maxLength: 4 })).map(([lead, parts]) => lead + parts.join(""));
const oneHostileSignUp = fc
  .tuple(fc.constantFrom(...SIGN_UP_FIELDS), fc.oneof({ arbitrary: edgyText, weight: 2 }, { arbitrary: fieldValue, weight: 1 }), fc.uuid())
  .map(([bad, hostile, id]): Record<string, unknown> => ({ ...validSignUp(id), [bad]: hostile }));

const deepJson = fc.integer({ min: 50, max: 100_000 }).map((depth) => "[".repeat(depth) + "]".repeat(depth));
const jsonBody = fc.oneof(
  fc.record({ name: fieldValue, email: fieldValue, password: fieldValue }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.tuple(fieldValue, fieldValue).map(([a, b]) => `{"email":${JSON.stringify(a) ?? "null"},"email":${JSON.stringify(b) ?? "null"},"name":"x","password":"a long enough password","__proto__":{"admin":true}}`),
  deepJson,
  fc.json(),
  fc.string().map((s) => `{"email": "${s}`), // truncated
  fc.constant('{"name":"x","email":"x@example.com","password":"a long enough password","avatar":"data:image/png;base64,AAAA"}'),
);
const contentType = fc.constantFrom(
  undefined, "application/json", "application/json; charset=utf-16", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=zzz", "image/png", "application/xml", "*/*", "application/json\r\nx-injected: 1",
);

let images: Buffer[] | undefined;
/** Fake, hostile and oversized images: polyglots, a decompression bomb, an SVG with script, 6 MB of noise. */
async function hostileImages(): Promise<Buffer[]> {
  if (images) return images;
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#f00" } }).png().toBuffer();
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(60_000, 0);
  ihdr.writeUInt32BE(60_000, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(0, 9); // greyscale
  // 3.6 gigapixels declared, a few KB sent: a decompression bomb.
  const bomb = Buffer.concat([png.subarray(0, 8), chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(Buffer.alloc(4_000_000), { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
  images = [
    bomb,
    Buffer.concat([png, Buffer.from("<?php system($_GET['c']); ?>")]), // PNG + PHP polyglot
    Buffer.concat([Buffer.from("GIF89a/*"), Buffer.alloc(10), Buffer.from("*/=1;alert(1)//")]), // GIF/JS polyglot
    Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'),
    Buffer.concat([png.subarray(0, 16), Buffer.from("truncated")]),
    Buffer.from("\xFF\xD8\xFF\xE0 not really a jpeg", "binary"),
    Buffer.alloc(6 * 1024 * 1024, 7), // over the 5 MB cap
    Buffer.alloc(0),
    png,
  ];
  return images;
}

type Multipart = { body: Buffer; contentType: string };
const multipart = (fields: [string, string | { filename: string; type: string; data: Buffer }][], truncateAt?: number): Multipart => {
  const boundary = `----abuse${randomUUID()}`;
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    if (typeof value === "string") {
      parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    } else {
      parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${value.filename}"\r\ncontent-type: ${value.type}\r\n\r\n`), value.data, Buffer.from("\r\n"));
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const body = Buffer.concat(parts);
  return { body: truncateAt === undefined ? body : body.subarray(0, Math.floor(body.length * truncateAt)), contentType: `multipart/form-data; boundary=${boundary}` };
};
const asText = (v: unknown) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));

// --- requests and checks -------------------------------------------------------------------------------

type Req = { method: string; path: string; headers: Record<string, string>; body?: Buffer | string };
type Res = { status: number; body: string; headers: Headers; ms: number };

type Secrets = { tokens: string[]; hashes: string[] };
const STACK_TRACE = /\n\s+at [^\n]+:\d+:\d+|at async [\w.<>]+ \(|node_modules\/|\.next\/server\/|webpack-internal:|(?:Type|Reference|Syntax|Range)Error: /;

function problems(res: Res, secrets: Secrets, method: string): string[] {
  const out: string[] = [];
  if (res.status === 0) return [`no answer within the bound or connection dropped: ${res.body.slice(0, 200)}`];
  if (res.status >= 500) out.push(`status ${res.status}`);
  // A server action answers an unexpected error as a 200 whose form says so: a 5xx all the same.
  else if (res.body.includes(INTERNAL_FORM_ERROR)) out.push("an internal error, answered as the form's error");
  // A HEAD answer has no body by definition: its GET carries the message.
  if (res.status >= 400 && res.status < 500 && method !== "HEAD" && !hasMessage(res)) out.push(`status ${res.status} without a message`);
  const everything = `${[...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n${res.body}`;
  if (/\$argon2id?\$|\$scrypt\$/.test(everything) || secrets.hashes.some((h) => everything.includes(h))) out.push("a password hash");
  if (secrets.tokens.some((t) => everything.includes(t))) out.push("a session token");
  if (STACK_TRACE.test(res.body)) out.push(`a stack trace: ${STACK_TRACE.exec(res.body)?.[0]}`);
  return out;
}

function hasMessage(res: Res): boolean {
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      const json = JSON.parse(res.body) as { error?: { message?: unknown }; message?: unknown };
      return typeof (json.error?.message ?? json.message) === "string" && String(json.error?.message ?? json.message).length > 0;
    } catch {
      return false;
    }
  }
  // HTML, text, or an RSC payload: some words for a person.
  return res.body.replace(/<[^>]*>/g, " ").trim().length > 0;
}

async function send(appUrl: string, req: Req): Promise<Res> {
  const started = performance.now();
  try {
    const response = await fetch(`${appUrl}${req.path}`, {
      method: req.method,
      headers: req.headers,
      body: req.body === undefined ? undefined : typeof req.body === "string" ? req.body : new Uint8Array(req.body),
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_BOUND_MS),
    });
    return { status: response.status, body: await response.text(), headers: response.headers, ms: performance.now() - started };
  } catch (error) {
    // A header the fetch client refuses to send is our generator's problem, not the app's.
    if (error instanceof TypeError && /header|ByteString|invalid/i.test(`${error.message} ${String(error.cause)}`)) return { status: -1, body: "", headers: new Headers(), ms: 0 };
    const cause = error instanceof Error ? String((error as { cause?: unknown }).cause ?? "") : "";
    return { status: 0, body: `(client) ${String(error)} ${cause}`, headers: new Headers(), ms: performance.now() - started };
  }
}

// --- the suite -------------------------------------------------------------------------------------------

export async function runAbuse(options: { runs: number; seed?: number; log?: (line: string) => void }): Promise<{ rows: AbuseRow[]; seed: number; total: number }> {
  const log = options.log ?? ((line: string) => process.stdout.write(`[abuse] ${line}\n`));
  const seed = options.seed ?? Date.now() % 2_147_483_647;
  const secret = randomUUID() + randomUUID();
  const stack = await startStack({
    command: "npm run abuse",
    mode: "start",
    appPort: ABUSE_PORTS.app,
    enginePort: ABUSE_PORTS.engine,
    mailPort: ABUSE_PORTS.mail,
    dataDir: ".data/abuse",
    fresh: true,
    quiet: true,
    pg: { dataDir: ".data/abuse/postgres", port: ABUSE_PORTS.pg, ephemeral: true },
    engineArgs: ["--time-scale", "0.05"],
    // Set high so every request reaches the code under test; a 429 is still a 4xx with a message.
    appEnv: { APP_SECRET: secret },
    openLimits: "all",
  });
  const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
  const rows: AbuseRow[] = [];
  let total = 0;
  try {
    // A member and an admin with real sessions, and one expired session: their tokens and hashes
    // must never come back in a response.
    const person = async (role: "USER" | "ADMIN", expired = false) => {
      const email = `abuse-${role.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
      const hash = await hashPassword("a long enough password");
      const { rows: [user] } = await db.query<{ id: string }>(
        "insert into users (id, email, name, password_hash, role, email_verified_at) values (gen_random_uuid(), $1, 'Abuse', $2, $3, now()) returning id",
        [email, hash, role],
      );
      const token = newSessionToken();
      await db.query(`insert into sessions (id, token_hash, user_id, expires_at) values (gen_random_uuid(), $1, $2, now() ${expired ? "-" : "+"} interval '1 hour')`, [hashToken(token), user!.id]);
      return { id: user!.id, email, token, hash };
    };
    const member = await person("USER");
    const admin = await person("ADMIN");
    const expired = await person("USER", true);
    const secrets: Secrets = { tokens: [member.token, admin.token, expired.token], hashes: [member.hash, admin.hash, expired.hash] };

    const sign = (purpose: string, payload: Record<string, unknown>) => {
      const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
      return `${body}.${createHmac("sha256", secret).update(`${purpose}.${body}`).digest("base64url")}`;
    };
    const now = Math.floor(Date.now() / 1000);
    const unsubscribeValid = sign("digest-unsubscribe", { u: member.id, exp: now + 3600 });
    const tokens = fc.oneof(
      headerString,
      fc.constant(unsubscribeValid), // replayed: a valid link used again and again
      fc.constant(sign("digest-unsubscribe", { u: member.id, exp: now - 60 })), // expired
      fc.constant(sign("digest-unsubscribe", { u: randomUUID(), exp: now + 3600 })), // nobody's
      fc.constant(sign("email-verification", { v: member.id, exp: now + 3600 })), // another purpose
      fc.constant(sign("email-verification", { v: randomUUID(), exp: now - 60 })),
      fc.constant(`${unsubscribeValid.split(".")[0]}.forged`),
      fc.constant("a.b.c"),
    );
    const cookies = fc.oneof(
      fc.constant(undefined),
      fc.constant(`session=${expired.token}`),
      headerString.map((s) => `session=${encode(s)}`),
      fc.constant(`session=${member.token.slice(0, -2)}xx`),
      fc.constant(`pending_sign_up=${sign("pending-sign-up", { e: member.email, a: null, exp: now - 10 })}`),
      fc.constant(`pending_sign_up=${sign("pending-sign-up", { e: "someone@example.com", a: randomUUID(), exp: now + 600 })}`),
      headerString.map((s) => `pending_sign_up=${encode(s)}; session=${encode(s)}`),
    );
    // Mostly same-site, so most requests get past the cross-site refusal to the code behind it.
    const origins = fc.oneof(
      { arbitrary: fc.constantFrom<Record<string, string>>({}, { origin: stack.appUrl, "sec-fetch-site": "same-origin" }), weight: 6 },
      { arbitrary: fc.constantFrom<Record<string, string>>({ origin: "https://evil.example", "sec-fetch-site": "cross-site" }, { origin: "null" }, { "sec-fetch-site": "cross-site" }, { origin: `${stack.appUrl}.evil.example` }), weight: 2 },
    );
    const headersOf = (cookie: string | undefined, origin: Record<string, string>, type?: string) => {
      const h: Record<string, string> = { ...origin };
      if (cookie) h.cookie = cookie;
      if (type) h["content-type"] = type;
      return h;
    };
    const hostileImage = fc.constantFrom(...(await hostileImages()));
    const fileName = fc.oneof(fc.constantFrom("me.png", "../../../etc/passwd", "..\\..\\evil.png", "a.php.png", "%2e%2e%2fx.png", "\u202Egnp.exe", "x".repeat(300), "a\r\nb.png", ""), hostileString);
    const signUpMultipart = fc
      .tuple(fieldValue, fieldValue, fieldValue, hostileImage, fileName, fc.constantFrom("image/png", "image/jpeg", "image/svg+xml", "text/html", "application/octet-stream"), fc.option(fc.double({ min: 0.05, max: 0.98, noNaN: true }), { nil: undefined }))
      .map(([name, email, password, data, filename, type, cut]) => multipart([["name", asText(name)], ["email", asText(email)], ["password", asText(password)], ["avatar", { filename, type, data }]], cut));

    const tree = routeTree();
    const actions = serverActions();
    const concreteId = fc.oneof(fc.uuid(), headerString.map(encode), fc.constantFrom("..%2F..%2Fetc%2Fpasswd", "%2e%2e", "256", "64", "original", member.id));
    const fill = (pattern: string) =>
      fc.tuple(...pattern.split("/").map((segment) => (/^\[.*\]$/.test(segment) ? concreteId : fc.constant(segment)))).map((parts) => parts.join("/") || "/");

    /** `runs` generated requests for one target; counts and the first few problems. */
    const check = async (target: string, arbitrary: fc.Arbitrary<Req>, runs = options.runs, refused?: (res: Res) => string | null) => {
      const samples = fc.sample(arbitrary, { numRuns: runs, seed: seed + rows.length });
      const statuses = new Map<number, number>();
      const row: AbuseRow = { target, requests: 0, status: "", fiveHundreds: 0, silentRefusals: 0, leaks: 0, notRefused: 0, ok: true, examples: [] };
      await pool(samples, 4, async (req) => {
        const res = await send(stack.appUrl, req);
        if (res.status === -1) return;
        row.requests++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const found = problems(res, secrets, req.method);
        const refusal = refused?.(res);
        if (refusal) found.push(refusal);
        if (found.length === 0) return;
        if (res.status >= 500 || res.status === 0 || found.some((f) => f.startsWith("an internal error"))) row.fiveHundreds++;
        if (found.some((f) => f.includes("without a message"))) row.silentRefusals++;
        if (found.some((f) => /hash|token|stack/.test(f))) row.leaks++;
        if (refusal) row.notRefused++;
        if (row.examples.length < 3) row.examples.push(`${req.method} ${req.path.slice(0, 120)} → ${res.status}: ${found.join(", ")} · ${res.body.slice(0, 160).replace(/\s+/g, " ")}`);
      });
      row.status = [...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(" ");
      row.ok = row.fiveHundreds === 0 && row.silentRefusals === 0 && row.leaks === 0 && row.notRefused === 0;
      total += row.requests;
      rows.push(row);
      log(`${row.ok ? "ok  " : "FAIL"} ${target}: ${row.requests} requests · ${row.status}${row.examples.length ? `\n       ${row.examples.join("\n       ")}` : ""}`);
      return row;
    };

    // Public route handlers and pages: every method they export (and some they do not), hostile
    // paths, queries, cookies, origins and bodies.
    for (const entry of tree.filter((e) => !e.admin)) {
      // Mostly the methods the target serves (so most requests reach its code), some it does not.
      const served = entry.kind === "page" ? ["GET", "POST"] : entry.methods;
      const others = ["GET", "POST", "PUT", "DELETE", "HEAD"].filter((m) => !served.includes(m));
      const method = fc.oneof({ arbitrary: fc.constantFrom(...served), weight: 4 }, { arbitrary: fc.constantFrom(...others), weight: 1 });
      const body = fc.oneof(
        jsonBody.map((b) => ({ body: b as string | Buffer, type: "application/json" as string | undefined })),
        signUpMultipart.map((m) => ({ body: m.body as string | Buffer, type: m.contentType as string | undefined })),
        fc.tuple(fc.oneof(jsonBody, hostileString), contentType).map(([b, type]) => ({ body: b as string | Buffer, type })),
        fc.record({ token: tokens }).map((f) => ({ body: new URLSearchParams(f).toString() as string | Buffer, type: "application/x-www-form-urlencoded" as string | undefined })),
        fc.constant({ body: "List-Unsubscribe=One-Click" as string | Buffer, type: "application/x-www-form-urlencoded" as string | undefined }),
      );
      const arbitrary = fc
        .tuple(method, fill(entry.pattern), fc.option(tokens, { nil: undefined }), fc.option(fc.dictionary(fc.string({ maxLength: 10 }), headerString, { maxKeys: 3 }), { nil: undefined }), cookies, origins, body)
        .map(([method, p, token, query, cookie, origin, b]): Req => {
          const search = new URLSearchParams({ ...query, ...(token === undefined ? {} : { token }) }).toString();
          const hasBody = method !== "GET" && method !== "HEAD";
          return { method, path: `${p}${search ? `?${search}` : ""}`, headers: headersOf(cookie, origin, hasBody ? b.type : undefined), body: hasBody ? b.body : undefined };
        });
      await check(`${entry.kind} ${entry.methods.join(",")} ${entry.pattern}`, arbitrary);
    }

    // Public server actions, posted as React does (Next-Action header, args as multipart) and as
    // garbage: hostile fields, truncated bodies, wrong content types, unknown action ids.
    type ActionShape = "well-formed" | "no-args" | "garbage-args" | "form-type";
    const actionRequest = (id: string, page: string, f: [string, string][], { cookie, origin, cut, shape }: { cookie?: string; origin: Record<string, string>; cut?: number; shape: ActionShape }): Req => {
      // As React encodes (prevState, formData): the form's fields as "_1_<name>", then the root
      // "0" — last, for the server resolves "$K1" from the fields read before it. (Sent first
      // and as "1_<name>", as this suite did until 2026-12-02, every action saw an empty form.)
      const parts: [string, string][] = shape === "no-args" ? f : [...f.map(([k, v]): [string, string] => [`_1_${k}`, v]), ["0", shape === "garbage-args" ? '[{"ok":false},"$K1","$@9",{"$$typeof":1}]' : '[{"ok":false},"$K1"]']];
      const m = multipart(parts, cut);
      return { method: "POST", path: page, headers: { ...headersOf(cookie, origin, shape === "form-type" ? "application/x-www-form-urlencoded" : m.contentType), "next-action": id, accept: "text/x-component" }, body: m.body };
    };
    const actionCall = (id: string, page: string, fields: fc.Arbitrary<[string, string][]>) =>
      fc.tuple(fields, cookies, origins, fc.oneof(fc.constant<number | undefined>(undefined), fc.double({ min: 0.05, max: 0.95, noNaN: true })), fc.constantFrom<ActionShape>("well-formed", "no-args", "garbage-args", "form-type"))
        .map(([f, cookie, origin, cut, shape]) => actionRequest(id, page, f, { cookie, origin, cut, shape }));
    const formFields = (names: string[]) => fc.tuple(...names.map((n) => fc.tuple(fc.constant(n), fieldValue.map(asText)))).chain((pairs) => fc.subarray(pairs).map((s) => s as [string, string][]));
    const fieldsOf = (file: string) => [...new Set([...fs.readFileSync(file, "utf8").matchAll(/^\s{4}(\w+):\s*z\./gm)].map((m) => m[1]!))];
    for (const action of actions.filter((a) => !a.admin)) {
      const names = [...new Set([...fieldsOf(action.file), "email", "password", "token", "name"])];
      await check(`action ${action.name} (${action.access}) on ${action.pages[0]}`, actionCall(action.id, action.pages[0] ?? "/", formFields(names)));
    }
    // The sign-up as a client sends it — same origin, no cookie, the right method and content
    // type — with one field hostile (oneHostileSignUp), as JSON and as a form, and to the action.
    const sameOrigin = { origin: stack.appUrl, "sec-fetch-site": "same-origin" };
    await check(
      "route POST /api/users, one sign-up field hostile",
      fc.tuple(oneHostileSignUp, fc.boolean()).map(([o, asJson]): Req => {
        if (asJson) return { method: "POST", path: "/api/users", headers: headersOf(undefined, sameOrigin, "application/json"), body: JSON.stringify(o) };
        const m = multipart(SIGN_UP_FIELDS.map((f): [string, string] => [f, asText(o[f])]));
        return { method: "POST", path: "/api/users", headers: headersOf(undefined, sameOrigin, m.contentType), body: m.body };
      }),
    );
    const signUpAction = actions.find((a) => a.name === "signUpAction");
    if (!signUpAction) throw new Error("signUpAction is not in the build's server-action manifest: the one-hostile-field check has nothing to call");
    await check(
      "action signUpAction, one field hostile",
      oneHostileSignUp.map((o) =>
        actionRequest(signUpAction.id, signUpAction.pages[0] ?? "/signup", SIGN_UP_FIELDS.map((f): [string, string] => [f, asText(o[f])]), { origin: sameOrigin, shape: "well-formed" }),
      ),
    );
    await check("action with an unknown or hostile id", fc.tuple(fc.oneof(fc.stringMatching(/^[0-9a-f]{42}$/), hostileString), fc.constantFrom("/", "/login", "/admin")).chain(([id, page]) => actionCall(id.replace(/[^\x20-\x7e]/g, "").slice(0, 2_000), page, formFields(["email"]))));

    // Admin: every page and route from the tree, every admin action from the build, called by an
    // anonymous caller (no cookie, a forged one, an expired one) and by a member. Each must refuse:
    // a redirect to log in, or a 401/403/404 — and for an action, the refusal in its state.
    const callers = [
      { who: "anonymous", cookie: undefined },
      { who: "forged cookie", cookie: `session=${newSessionToken()}` },
      { who: "expired session", cookie: `session=${expired.token}` },
      { who: "member", cookie: `session=${member.token}` },
    ];
    const adminRows: AbuseRow[] = [];
    for (const entry of tree.filter((e) => e.admin)) {
      for (const caller of callers) {
        const arbitrary = fc.tuple(fill(entry.pattern), fc.constantFrom(...entry.methods), fc.option(fc.dictionary(fc.constantFrom("status", "q", "view", "cursor", "group", "userId", "kind"), headerString, { maxKeys: 3 }), { nil: undefined })).map(
          ([p, method, query]): Req => ({ method, path: `${p}${query ? `?${new URLSearchParams(query)}` : ""}`, headers: caller.cookie ? { cookie: caller.cookie } : {} }),
        );
        // Refused: a redirect to log in (or a 308 to the path without a trailing slash), 401/403/404.
        const row = await check(`admin ${entry.kind} ${entry.pattern} as ${caller.who}`, arbitrary, Math.max(5, Math.round(options.runs / 20)), (res) =>
          (res.status === 307 && /\/login/.test(res.headers.get("location") ?? "")) || res.status === 308 || [401, 403, 404, 429].includes(res.status) ? null : `not refused (${res.status})`,
        );
        adminRows.push(row);
      }
    }
    const auditBefore = (await db.query<{ n: number }>("select count(*)::int as n from audit_logs")).rows[0]!.n;
    for (const action of actions.filter((a) => a.admin)) {
      for (const caller of callers) {
        const names = [...new Set([...fieldsOf(action.file), "id", "note", "kind"])];
        const fields = fc.tuple(...names.map((n) => fc.tuple(fc.constant(n), fc.oneof(fc.uuid(), fieldValue.map(asText))))).map((p) => p as [string, string][]);
        const page = (action.pages[0] ?? "/admin").replace(/\[[^\]]+\]/g, randomUUID());
        const arbitrary = fields.map((f): Req => {
          const m = multipart([["0", '[{"ok":false},"$K1"]'], ...f.map(([k, v]): [string, string] => [`1_${k}`, v])]);
          return { method: "POST", path: page, headers: { ...(caller.cookie ? { cookie: caller.cookie } : {}), origin: stack.appUrl, "content-type": m.contentType, "next-action": action.id, accept: "text/x-component" }, body: m.body };
        });
        const row = await check(`admin action ${action.name} as ${caller.who}`, arbitrary, Math.max(5, Math.round(options.runs / 20)), (res) =>
          // Refused: to log in (a redirect, no session at all), 4xx, or the action's own refusal in its state.
          (res.status >= 300 && res.status < 500 && res.status !== 200) || /Please log in to continue\.|You don't have permission to do that\./.test(res.body) ? null : "not refused",
        );
        adminRows.push(row);
      }
    }
    // The actions' refusal is in their state, not their status: nothing they do may have happened.
    const auditAfter = (await db.query<{ n: number }>("select count(*)::int as n from audit_logs")).rows[0]!.n;
    const done = auditAfter - auditBefore;
    rows.push({ target: "admin actions by anonymous and member callers: audit entries written", requests: 0, status: String(done), fiveHundreds: 0, silentRefusals: 0, leaks: 0, notRefused: done, ok: done === 0, examples: [] });
    log(`${done === 0 ? "ok  " : "FAIL"} admin actions by anonymous and member callers: ${done} audit entries written (expected 0)`);
    const adminActions = actions.filter((a) => a.admin);
    const undeclared = adminActions.filter((a) => a.access !== "ADMIN");
    rows.push({ target: `admin actions found in the build (${adminActions.map((a) => a.name).join(", ")}) declaring access ADMIN`, requests: 0, status: `${adminActions.length - undeclared.length}/${adminActions.length}`, fiveHundreds: 0, silentRefusals: 0, leaks: 0, notRefused: undeclared.length, ok: undeclared.length === 0, examples: undeclared.map((a) => a.name) });
  } finally {
    await db.end();
    await stack.stop();
  }
  return { rows, seed, total };
}

export function abuseTable(rows: AbuseRow[]): string {
  const lines = ["| target | requests | statuses | 5xx/hang | 4xx without message | leaks | not refused | |", "|---|---:|---|---:|---:|---:|---:|---|"];
  for (const r of rows) lines.push(`| ${r.target} | ${r.requests} | ${r.status} | ${r.fiveHundreds} | ${r.silentRefusals} | ${r.leaks} | ${r.notRefused} | ${r.ok ? "ok" : "**FAIL**"} |`);
  return lines.join("\n");
}
