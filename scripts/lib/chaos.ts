// The chaos suite (`npm run chaos`; bounded in `npm test` through e2e/chaos.spec.ts): the real
// production stack (next start in cloud mode, the engine in signed mode, the mail catcher, an
// embedded PostgreSQL), faults injected at random moments, and counts that must end at zero.
// Every scenario ends by checking what a person would see: each accepted sign-up's verification
// email, after the link is used its welcome email and ready avatar, and never two emails of one
// kind to one address (counted at the mail catcher, which stores what the provider accepted).
import pg from "pg";
import { createMailCatcherClient, type MailCatcherClient } from "@signup-jobs/mail-catcher";
import { startStack } from "./stack";
import { avatarPng, kindOf, newAddress, signUp, verifyByEmail, type SignUpResult } from "./people";
import { pool } from "./pool";
import { percentile } from "./stats";

export const CHAOS_PORTS = { app: 3716, engine: 8716, mail: 4716, pg: 54716 };

/** Inngest's backoff 20× faster (15 s → 0.75 s): "a minute" of provider outage is 3 s here. */
const TIME_SCALE = 0.05;

export type ChaosSize = {
  /** Sign-ups during which the engine is SIGKILLed, and how many times. */
  killSignUps: number;
  engineKills: number;
  appKills: number;
  /** Sign-ups while the executor is down. */
  outageSignUps: number;
  /** Sign-ups while the mail API answers 503 for a scaled minute; people past the retry budget. */
  mailOutageSignUps: number;
  budgetExceeded: number;
  /** Sign-ups in the burst the engine is gracefully restarted in. */
  burst: number;
  /** PostgreSQL downtime under load. */
  databaseDowntimeMs: number;
};

export const FULL: ChaosSize = { killSignUps: 200, engineKills: 20, appKills: 3, outageSignUps: 100, mailOutageSignUps: 20, budgetExceeded: 3, burst: 40, databaseDowntimeMs: 5_000 };
export const BOUNDED: ChaosSize = { killSignUps: 20, engineKills: 3, appKills: 1, outageSignUps: 10, mailOutageSignUps: 4, budgetExceeded: 1, burst: 10, databaseDowntimeMs: 3_000 };

export type Row = { scenario: string; measure: string; value: number | string; expected: string; ok: boolean };

type Stack = Awaited<ReturnType<typeof startStack>>;
type Person = { email: string; avatar: boolean; verified: boolean };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const random = (min: number, max: number) => min + Math.random() * (max - min);

export async function runChaos(options: { size: ChaosSize; log?: (line: string) => void; quiet?: boolean }): Promise<Row[]> {
  const log = options.log ?? ((line: string) => process.stdout.write(`[chaos] ${line}\n`));
  const size = options.size;
  const stack = await startStack({
    command: "npm run chaos",
    mode: "start",
    appPort: CHAOS_PORTS.app,
    enginePort: CHAOS_PORTS.engine,
    mailPort: CHAOS_PORTS.mail,
    dataDir: ".data/chaos",
    fresh: true,
    controllable: true,
    quiet: options.quiet ?? true,
    pg: { dataDir: ".data/chaos/postgres", port: CHAOS_PORTS.pg, ephemeral: true },
    // A step in flight when the engine died is rescued when its lease ends: 10 s, not 30.
    engineArgs: ["--time-scale", String(TIME_SCALE), "--lease", "10000"],
    openLimits: "sign-up",
    appEnv: {
      // The sweep (a cron each minute) re-sends rows older than this; the request's own relay is
      // the fast path, so a short age only matters when the executor was down.
      OUTBOX_SWEEP_AFTER_MS: "2000",
    },
    // The provider's 2 requests/s in the engine's time. The engine runs 1/TIME_SCALE times faster
    // (throttle periods, sleeps) while the app's pacer keeps real time: at a real 2/s the throttle
    // let runs in 20× faster than they could be sent and a backlog of real seconds built up behind
    // scaled ones (34 runs failed in a full run before such waits slept instead of spending
    // attempts) — an artefact of the scaling. Pacing itself: the digest bench and the tests.
    providerRequestsPerSecond: 2 / TIME_SCALE,
  });
  const app = new pg.Pool({ connectionString: stack.databaseUrl, max: 3 });
  const engine = new pg.Pool({ connectionString: stack.engineDatabaseUrl, max: 2 });
  // The pools outlive the database restart: an idle client's error must not end the suite.
  app.on("error", () => {});
  engine.on("error", () => {});
  const mail = createMailCatcherClient(stack.mailUrl);
  const rows: Row[] = [];
  const row = (scenario: string, measure: string, value: number | string, expected: string, ok: boolean) => {
    rows.push({ scenario, measure, value, expected, ok });
    log(`${ok ? "ok  " : "FAIL"} ${scenario}: ${measure} = ${value} (expected ${expected})`);
  };
  const zero = (scenario: string, measure: string, value: number) => row(scenario, measure, value, "0", value === 0);

  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      log(`${name}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  };
  try {
    const c = { stack, app, engine, mail, log };
    const killed = await timed("engine kills", () => engineKills(c, size, row, zero));
    await timed("app kills", () => appKills(c, size, row, zero));
    const restarted = await timed("database restart", () => databaseRestart(c, size, row, zero));
    await timed("executor outage (and the settle of the two above)", () => executorOutage(c, size, row, zero, [killed, restarted]));
    await timed("mail outage", () => mailOutage(c, size, row, zero));
    await timed("graceful restart", () => gracefulRestart(c, size, row, zero));
  } finally {
    await app.end().catch(() => {});
    await engine.end().catch(() => {});
    await stack.stop();
  }
  return rows;
}

type Ctx = { stack: Stack; app: pg.Pool; engine: pg.Pool; mail: MailCatcherClient; log: (line: string) => void };
type RowFn = (scenario: string, measure: string, value: number | string, expected: string, ok: boolean) => void;
type ZeroFn = (scenario: string, measure: string, value: number) => void;

/** Restarts the engine after a SIGKILL (or SIGTERM), and says how long it was away. */
async function bounceEngine(c: Ctx, signal: "SIGKILL" | "SIGTERM", downMs = 0): Promise<number> {
  const started = performance.now();
  await c.stack.control.kill("engine", signal);
  if (downMs) await sleep(downMs);
  await c.stack.control.start("engine");
  return performance.now() - started;
}

/**
 * Until every person has what they are owed — the verification email; once verified, the welcome
 * email and (with an avatar) a READY avatar — or `timeoutMs` passes. Returns who is still missing
 * something (the lost ones) and the duplicates among their emails.
 */
type Settled = { lost: string[]; duplicates: string[]; avatarsNotReady: number; notReady: string[] };
/** A scenario whose final counts wait for the next settle (several share one outbox sweep). */
type Pending = { people: Person[]; finish: (settled: Settled) => Promise<void> };
/** The part of a settle that concerns `people`. */
function only(settled: Settled, people: Person[]): Settled {
  const mine = new Set(people.map((p) => p.email));
  const notReady = settled.notReady.filter((e) => mine.has(e));
  return { lost: settled.lost.filter((e) => mine.has(e)), duplicates: settled.duplicates.filter((d) => mine.has(d.split(" ")[0]!)), avatarsNotReady: notReady.length, notReady };
}

async function settle(c: Ctx, people: Person[], timeoutMs: number): Promise<Settled> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const emails = people.map((p) => p.email);
  let reported = started;
  for (;;) {
    const messages = await c.mail.messages();
    const byRecipient = new Map<string, string[]>();
    for (const m of messages) for (const to of m.to) byRecipient.set(to, [...(byRecipient.get(to) ?? []), kindOf(m.subject)]);
    const { rows } = await c.app.query<{ email: string; avatar_status: string }>("select email, avatar_status from users where email = any($1)", [emails]);
    const avatar = new Map(rows.map((r) => [r.email, r.avatar_status]));
    const lost: string[] = [];
    const notReady: string[] = [];
    for (const p of people) {
      const kinds = byRecipient.get(p.email) ?? [];
      const missing = !kinds.includes("verification") || (p.verified && !kinds.includes("welcome"));
      const unready = p.verified && p.avatar && avatar.get(p.email) !== "READY";
      if (unready) notReady.push(p.email);
      if (missing || unready) lost.push(p.email);
    }
    const duplicates: string[] = [];
    for (const email of emails) {
      const kinds = byRecipient.get(email) ?? [];
      for (const kind of new Set(kinds)) if (kinds.filter((k) => k === kind).length > 1) duplicates.push(`${email} ${kind}`);
    }
    if ((lost.length === 0 && (await quiet(c))) || Date.now() > deadline) return { lost, duplicates, avatarsNotReady: notReady.length, notReady };
    // A long settle says what it waits for (a scenario's time is mostly this wait).
    if (Date.now() - reported >= 20_000) {
      reported = Date.now();
      c.log(`settling for ${((reported - started) / 1000).toFixed(0)} s: ${lost.length} people without all their mail; ${await waitingOn(c)}`);
    }
    // Nothing to await across processes here: the catcher, the app's database and the engine
    // each change on their own; look again shortly.
    await sleep(1_000);
  }
}

/**
 * No step running or due in the next 10 s (a retry's backoff here is at most a few seconds; the
 * crons' next ticks are further) and the outbox empty: a late duplicate would have shown by now.
 */
async function quiet(c: Ctx): Promise<boolean> {
  const due = await c.engine.query<{ n: number }>("select count(*)::int as n from queue where state = 'running' or run_at < now() + interval '10 seconds'");
  const unsent = await c.app.query<{ n: number }>("select count(*)::int as n from outbox_events where sent_at is null");
  return due.rows[0]!.n === 0 && unsent.rows[0]!.n === 0;
}

/** What `quiet` is still waiting for, in one line. */
async function waitingOn(c: Ctx): Promise<string> {
  const items = await c.engine.query<{ function_id: string | null; kind: string; state: string; blocked: boolean; attempt: number; due_in_s: number | null }>(
    `select r.function_id, q.kind, q.state, q.blocked, q.attempt, round(extract(epoch from q.run_at - now()))::int as due_in_s
       from queue q left join runs r on r.id = q.run_id
      where q.state = 'running' or q.run_at < now() + interval '10 seconds' order by q.run_at limit 5`,
  );
  const unsent = await c.app.query<{ n: number }>("select count(*)::int as n from outbox_events where sent_at is null");
  const list = items.rows.map((i) => `${i.function_id ?? "(flow)"} ${i.kind} ${i.state} attempt ${i.attempt}${i.state === "queued" ? ` due in ${i.due_in_s} s` : ""}${i.blocked ? " (parked: concurrency)" : ""}`);
  return `outbox unsent ${unsent.rows[0]!.n}; queue items running or due: ${list.length ? list.join(", ") : "none"}`;
}

/** Steps (run, step) whose body ran more than once to a result: two attempts that did not fail. */
async function stepsRunTwice(c: Ctx, since: Date): Promise<number> {
  const { rows } = await c.engine.query<{ n: number }>(
    `select count(*)::int as n from (
       select a.run_id, a.step_id from attempts a join runs r on r.id = a.run_id
       where r.created_at >= $1 and a.outcome in ('ok', 'completed') and a.step_id <> 'step'
       group by 1, 2 having count(*) > 1) twice`,
    [since],
  );
  return rows[0]!.n;
}

/** Provider calls that were accepted as a new email (not a replay) per idempotency key, more than one. */
async function keysSentTwice(c: Ctx, emails: string[]): Promise<number> {
  const counts = new Map<string, number>();
  for (const email of emails) {
    for (const attempt of await c.mail.requests({ to: email })) {
      if (attempt.status !== 200 || attempt.source === "idempotent-replay" || !attempt.idempotency_key) continue;
      counts.set(attempt.idempotency_key, (counts.get(attempt.idempotency_key) ?? 0) + 1);
    }
  }
  return [...counts.values()].filter((n) => n > 1).length;
}

/** Sign up and verify everyone, `concurrency` at a time; `onProgress` after each 202 and each verification. */
async function signUpAndVerify(c: Ctx, people: Person[], concurrency: number, onProgress: () => void = () => {}) {
  const refused: SignUpResult[] = [];
  await pool(people, concurrency, async (person) => {
    const result = await signUp(c.stack.appUrl, person.email, person.avatar ? { avatar: await avatarPng() } : {});
    if (result.status !== 202) {
      refused.push(result);
      return;
    }
    onProgress();
    await verifyByEmail(c.stack.appUrl, c.mail, person.email, 150_000);
    person.verified = true;
    onProgress();
  });
  return refused;
}

async function engineKills(c: Ctx, size: ChaosSize, row: RowFn, zero: ZeroFn): Promise<Pending> {
  const scenario = `engine SIGKILL ×${size.engineKills} during ${size.killSignUps} sign-ups`;
  const people: Person[] = Array.from({ length: size.killSignUps }, (_, i) => ({ email: newAddress(`kill${i}`), avatar: i % 2 === 0, verified: false }));
  // Kill at random points of the work: after the n-th of 2 × sign-ups (a 202, a verification).
  const total = people.length * 2;
  const thresholds = Array.from({ length: size.engineKills }, () => Math.floor(random(1, total - 1))).sort((a, b) => a - b);
  let done = 0;
  let kills = 0;
  let wake: () => void = () => {};
  const progressed = () => {
    done++;
    wake();
  };
  let finished = false;
  const downs: number[] = [];
  const killer = (async () => {
    while (kills < thresholds.length) {
      while (done < thresholds[kills]! && !finished) await new Promise<void>((r) => (wake = r));
      if (finished && done < thresholds[kills]!) break;
      // A random moment inside the step that is running now, not only between sign-ups.
      await sleep(random(0, 400));
      downs.push(await bounceEngine(c, "SIGKILL"));
      kills++;
    }
  })();
  const started = new Date();
  const refused = await signUpAndVerify(c, people, 6, progressed).finally(() => {
    finished = true;
    wake();
  });
  await killer;
  c.log(`${scenario}: ${kills} kills, engine back in p50 ${percentile(downs, 50).toFixed(0)} ms`);
  row(scenario, "engine SIGKILLs done", kills, String(size.engineKills), kills === size.engineKills);
  zero(scenario, "sign-ups not accepted", refused.length);
  const ended = new Date();
  // Runs started while the engine was down wait for the outbox sweep (a cron each minute): the
  // counts are taken at the executor-outage scenario's settle, which waits for the same sweep.
  return {
    people,
    finish: async (settled) => {
      const { lost, duplicates, avatarsNotReady } = only(settled, people);
      zero(scenario, "lost runs (an email or avatar never came)", lost.length);
      zero(scenario, "duplicate emails (per recipient and kind)", duplicates.length);
      zero(scenario, "avatars not ready", avatarsNotReady);
      // The people's runs must all succeed; a scheduled job's run may fail (the engine fails a run
      // whose step was in flight during --max-rescues deaths) and the next tick does its work: listed.
      const failed = await c.engine.query<{ function_id: string; message: string | null }>(
        "select function_id, error->>'message' as message from runs where created_at between $1 and $2 and status = 'failed'",
        [started, ended],
      );
      for (const f of failed.rows) c.log(`${scenario}: failed run of ${f.function_id}: ${f.message ?? "(no message)"}`);
      zero(scenario, "sign-up runs failed (verification, welcome, avatar)", failed.rows.filter((f) => /user\./.test(f.function_id)).length);
      const scheduled = failed.rows.filter((f) => !/user\./.test(f.function_id));
      row(scenario, "scheduled-job runs failed (retried by their next tick)", scheduled.length, "any", true);
    },
  };
}

async function appKills(c: Ctx, size: ChaosSize, row: RowFn, zero: ZeroFn) {
  const scenario = `app SIGKILL mid-step ×${size.appKills}`;
  const people: Person[] = [];
  let retried = 0;
  for (let i = 0; i < size.appKills; i++) {
    // The provider takes 4 s over this address: the send step is in flight when the app dies.
    const person: Person = { email: newAddress(`appkill${i}`), avatar: false, verified: false };
    people.push(person);
    const rule = await c.mail.addFault({ match: `^${person.email.split("@")[0]}@`, status: "accept", delayMs: 4_000 });
    const accepted = await signUp(c.stack.appUrl, person.email);
    if (accepted.status !== 202) throw new Error(`sign-up answered ${accepted.status}: ${accepted.body}`);
    // The fault rule counts the request as it arrives: the step is now inside its provider call.
    for (let seen = 0; seen === 0; ) {
      seen = (await c.mail.faults()).find((r) => r.id === rule.id)?.hits ?? 0;
      if (!seen) await sleep(50);
    }
    await c.stack.control.kill("app", "SIGKILL");
    await c.stack.control.start("app");
    await c.mail.removeFault(rule.id);
    await verifyByEmail(c.stack.appUrl, c.mail, person.email, 120_000);
    person.verified = true;
    // The catcher stores the first request's email once its delay ends, even though the app died
    // waiting for the answer, so the link can arrive before the step's retry (after its backoff
    // and the provider's pace) reaches the catcher: wait for that second call, within a bound.
    const sendsTo = async () => (await c.mail.requests({ to: person.email })).filter((a) => (a.recipients ?? []).length > 0).length;
    const deadline = Date.now() + 60_000;
    while ((await sendsTo()) < 2 && Date.now() < deadline) await sleep(200);
    if ((await sendsTo()) > 1) retried++;
  }
  const { lost, duplicates } = await settle(c, people, 120_000);
  row(scenario, "steps retried after the kill", retried, String(size.appKills), retried === size.appKills);
  zero(scenario, "lost runs", lost.length);
  zero(scenario, "duplicate emails (per recipient and kind)", duplicates.length);
  zero(scenario, "provider sends accepted twice for one idempotency key", await keysSentTwice(c, people.map((p) => p.email)));
}

async function databaseRestart(c: Ctx, size: ChaosSize, row: RowFn, zero: ZeroFn): Promise<Pending> {
  const scenario = `PostgreSQL restart under load (${size.databaseDowntimeMs / 1000} s down)`;
  const results: (SignUpResult & { email: string })[] = [];
  let stop = false;
  let outageOver = 0;
  const load = Promise.all(
    Array.from({ length: 3 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const email = newAddress(`pg${w}-${i}`);
        results.push({ ...(await signUp(c.stack.appUrl, email)), email });
      }
    }),
  );
  // Some accepted sign-ups before the outage, then the restart, then load until 202s come back.
  while (results.filter((r) => r.status === 202).length < 6) await sleep(100);
  await c.stack.control.restartDatabase(size.databaseDowntimeMs);
  const back = Date.now();
  const afterRestart = results.length;
  while (!results.slice(afterRestart).some((r) => r.status === 202) && Date.now() - back < 60_000) await sleep(100);
  outageOver = Date.now() - back;
  const more = results.length;
  while (results.length < more + 6 && Date.now() - back < 90_000) await sleep(100);
  stop = true;
  await load;

  const statuses = new Map<number, number>();
  for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  const summary = [...statuses].map(([s, n]) => `${s || "hang"}×${n}`).join(" ");
  const bad = results.filter((r) => r.status !== 202 && r.status !== 503);
  const unclear = results.filter((r) => r.status === 503 && !/"message":"[^"]+"/.test(r.body));
  c.log(`${scenario}: ${summary}; first 202 ${outageOver} ms after PostgreSQL was back; slowest answer ${Math.max(...results.map((r) => r.ms)).toFixed(0)} ms`);
  row(scenario, "answers", summary, "202 and 503 only", bad.length === 0);
  zero(scenario, "answers other than 202/503 (500, hang past 15 s)", bad.length);
  zero(scenario, "503s without a message", unclear.length);
  row(scenario, "503s during the outage", statuses.get(503) ?? 0, "≥ 1", (statuses.get(503) ?? 0) >= 1);
  // Settled together with the executor outage's people: both wait for the same outbox sweep.
  const people = results.filter((r) => r.status === 202).map((r) => ({ email: r.email, avatar: false, verified: false }));
  return {
    people,
    finish: async (settled) => {
      const { lost, duplicates } = only(settled, people);
      zero(scenario, "accepted sign-ups lost (no verification email)", lost.length);
      zero(scenario, "duplicate emails", duplicates.length);
    },
  };
}

async function executorOutage(c: Ctx, size: ChaosSize, row: RowFn, zero: ZeroFn, carried: Pending[]) {
  const scenario = `executor unreachable during ${size.outageSignUps} sign-ups`;
  await c.stack.control.kill("engine", "SIGKILL");
  const people: Person[] = Array.from({ length: size.outageSignUps }, (_, i) => ({ email: newAddress(`down${i}`), avatar: false, verified: false }));
  const results: SignUpResult[] = [];
  await pool(people, 4, async (p) => void results.push(await signUp(c.stack.appUrl, p.email)));
  const accepted = results.filter((r) => r.status === 202).length;
  const { rows } = await c.app.query<{ n: number }>("select count(*)::int as n from outbox_events where sent_at is null");
  row(scenario, "202s while the executor was down", accepted, String(size.outageSignUps), accepted === size.outageSignUps);
  row(scenario, "outbox rows waiting", rows[0]!.n, `≥ ${size.outageSignUps}`, rows[0]!.n >= size.outageSignUps);
  const back = Date.now();
  await c.stack.control.start("engine");
  const settled = await settle(c, [...carried.flatMap((p) => p.people), ...people], 240_000);
  const mine = only(settled, people);
  c.log(`${scenario}: all verification emails ${mine.lost.length ? "NOT " : ""}delivered ${((Date.now() - back) / 1000).toFixed(1)} s after the engine was back`);
  zero(scenario, "events never delivered", mine.lost.length);
  zero(scenario, "duplicate emails", mine.duplicates.length);
  const unsent = await c.app.query<{ n: number }>("select count(*)::int as n from outbox_events where sent_at is null");
  zero(scenario, "outbox rows unsent at the end (the relay and sweep reconnected)", unsent.rows[0]!.n);
  for (const pending of carried) await pending.finish(settled);
}

async function mailOutage(c: Ctx, size: ChaosSize, row: RowFn, zero: ZeroFn) {
  const scenario = `mail API 503 for a scaled minute (${60 * TIME_SCALE} s)`;
  const label = `mail503${Date.now().toString(36)}`;
  const people: Person[] = Array.from({ length: size.mailOutageSignUps }, (_, i) => ({ email: `${label}-${i}@example.com`, avatar: false, verified: false }));
  const budget: Person[] = Array.from({ length: size.budgetExceeded }, (_, i) => ({ email: `budget${label}-${i}@example.com`, avatar: false, verified: false }));
  const outage = await c.mail.addFault({ match: `^${label}-`, status: 503 });
  const forever = await c.mail.addFault({ match: `^budget${label}-`, status: 503 });
  const started = Date.now();
  for (const p of [...people, ...budget]) {
    const r = await signUp(c.stack.appUrl, p.email);
    if (r.status !== 202) throw new Error(`sign-up answered ${r.status}: ${r.body}`);
  }
  await sleep(Math.max(0, 60_000 * TIME_SCALE - (Date.now() - started)));
  await c.mail.removeFault(outage.id);
  const { lost, duplicates } = await settle(c, people, 120_000);
  const served = (await c.mail.requests()).filter((a) => a.status === 503 && a.recipients.some((r) => r.startsWith(label))).length;
  c.log(`${scenario}: ${served} provider 503s served, then delivered`);
  row(scenario, "503s answered to the app (retried)", served, `≥ ${size.mailOutageSignUps}`, served >= size.mailOutageSignUps);
  zero(scenario, "emails never delivered", lost.length);
  zero(scenario, "duplicate emails", duplicates.length);
  const letters = async (emails: string[]) =>
    (await c.app.query<{ email: string; n: number }>("select u.email, count(d.id)::int as n from users u left join dead_letter_jobs d on d.subject_user_id = u.id where u.email = any($1) group by 1", [emails])).rows;
  zero(scenario, "dead letters (within the retry budget)", (await letters(people.map((p) => p.email))).reduce((s, r) => s + r.n, 0));
  // Past the budget: the run fails for good and its onFailure writes one letter.
  const deadline = Date.now() + 120_000;
  let counted = await letters(budget.map((p) => p.email));
  while (counted.some((r) => r.n === 0) && Date.now() < deadline) {
    await sleep(1_000);
    counted = await letters(budget.map((p) => p.email));
  }
  await settle(c, [], 60_000); // nothing left due: a second letter would be written by now
  counted = await letters(budget.map((p) => p.email));
  await c.mail.removeFault(forever.id);
  const exactlyOne = counted.filter((r) => r.n === 1).length;
  row(scenario, "runs past the retry budget with exactly one dead letter", `${exactlyOne}/${size.budgetExceeded}`, `${size.budgetExceeded}/${size.budgetExceeded}`, exactlyOne === size.budgetExceeded);
}

async function gracefulRestart(c: Ctx, size: ChaosSize, row: RowFn, zero: ZeroFn) {
  const scenario = `graceful engine restart mid-burst (${size.burst} sign-ups)`;
  const people: Person[] = Array.from({ length: size.burst }, (_, i) => ({ email: newAddress(`burst${i}`), avatar: i % 2 === 0, verified: false }));
  const started = new Date();
  let done = 0;
  let restarted: Promise<number> | undefined;
  const refused = await signUpAndVerify(c, people, 6, () => {
    done++;
    if (done === people.length) restarted = bounceEngine(c, "SIGTERM");
  });
  await restarted;
  zero(scenario, "sign-ups not accepted", refused.length);
  const { lost, duplicates, avatarsNotReady } = await settle(c, people, 150_000);
  zero(scenario, "lost runs", lost.length);
  zero(scenario, "steps run twice (engine attempts)", await stepsRunTwice(c, started));
  zero(scenario, "provider sends accepted twice for one idempotency key", await keysSentTwice(c, people.map((p) => p.email)));
  zero(scenario, "duplicate emails", duplicates.length);
  zero(scenario, "avatars not ready", avatarsNotReady);
  row(scenario, "restarted", restarted ? "yes" : "no", "yes", restarted !== undefined);
}

export function table(rows: Row[]): string {
  const lines = ["| scenario | measure | value | expected | |", "|---|---|---:|---|---|"];
  for (const r of rows) lines.push(`| ${r.scenario} | ${r.measure} | ${r.value} | ${r.expected} | ${r.ok ? "ok" : "**FAIL**"} |`);
  return lines.join("\n");
}
