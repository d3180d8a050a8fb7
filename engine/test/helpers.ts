// Shared test plumbing: a database per test file, a fixture app serving real inngest@4 functions
// over node:http on a random port, and a bounded wait helper (no fixed sleeps).
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { Inngest, type InngestFunction } from "inngest";
import { serve } from "inngest/node";
import pg from "pg";
import { inject } from "vitest";
import { startEngine, type Engine, type StartEngineOptions } from "../index";

export const TIME_SCALE = 0.001;

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const server = inject("enginePgServerUrl");
  const name = `engine_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: `${server}postgres` });
  await admin.connect();
  await admin.query(`create database ${pg.escapeIdentifier(name)}`);
  await admin.end();
  return {
    url: `${server}${name}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: `${server}postgres` });
      await c.connect();
      await c.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      await c.end();
    },
  };
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 10_000, intervalMs = 20, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const silentLogger = { info() {}, warn() {}, error() {}, debug() {} };

export function fixtureClient(engineUrl: string, id = "fixture") {
  return new Inngest({ id, isDev: true, baseUrl: engineUrl, logger: silentLogger });
}

export type FixtureApp = { url: string; close(): Promise<void> };

export async function startFixtureApp(
  client: Inngest.Any,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any function shape the SDK accepts
  functions: InngestFunction.Any[] | any[],
  onRequest?: (req: http.IncomingMessage) => void,
): Promise<FixtureApp> {
  const handler = serve({ client, functions });
  const server = http.createServer((req, res) => {
    onRequest?.(req);
    if (req.url?.startsWith("/api/inngest")) return handler(req, res);
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/inngest`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export async function startTestEngine(databaseUrl: string, extra: Partial<StartEngineOptions> = {}): Promise<Engine> {
  return startEngine({
    databaseUrl,
    port: 0,
    timeScale: TIME_SCALE,
    pollMs: 200,
    requestTimeoutMs: 5000,
    log: "silent",
    ...extra,
  });
}

export async function sendEvents(engineUrl: string, events: unknown): Promise<{ status: number; body: { ids: string[]; status: number; error?: string } }> {
  const res = await fetch(`${engineUrl}/e/test-key`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof events === "string" ? events : JSON.stringify(events),
  });
  return { status: res.status, body: (await res.json()) as { ids: string[]; status: number; error?: string } };
}

export type RunView = {
  run_id: string;
  function_id: string;
  event_id: string;
  status: string;
  output: unknown;
  error: unknown;
  event: { id: string; name: string; data: Record<string, unknown> };
  steps: { id: string; name: string | null; op: string; result: unknown }[];
  attempts: {
    step_id: string;
    step_name: string | null;
    attempt: number;
    outcome: string;
    status_code: number | null;
    error: { name?: string; message?: string } | null;
    retry_at: string | null;
    started_at: string;
    ended_at: string;
  }[];
};

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  return { status: res.status, body: (await res.json()) as T };
}

export async function runsOf(engineUrl: string, eventId: string) {
  return (await getJson<{ data: { run_id: string; function_id: string; status: string }[] }>(`${engineUrl}/v1/events/${eventId}/runs`)).body.data;
}

export async function getRun(engineUrl: string, runId: string): Promise<RunView> {
  return (await getJson<{ data: RunView }>(`${engineUrl}/v1/runs/${runId}`)).body.data;
}

/** Waits until the function's run for this event reaches one of `statuses`. */
export async function waitForRun(engineUrl: string, eventId: string, fnId: string, statuses = ["Completed", "Failed"], timeoutMs = 10_000) {
  const summary = await waitFor(
    async () => (await runsOf(engineUrl, eventId)).find((r) => r.function_id === fnId && statuses.includes(r.status)),
    { timeoutMs, what: `run of ${fnId} for event ${eventId} to be ${statuses.join("/")}` },
  );
  return getRun(engineUrl, summary.run_id);
}

/**
 * Engine processes a crash test can SIGKILL: `node --import tsx engine/main.ts` (not the tsx
 * binary, which forks: SIGKILL must hit the engine itself), lease 1.5 s, poll 100 ms, time scale
 * 0.001. `start` resolves once the process listens; `kill` SIGKILLs one and waits for its exit.
 */
export class EngineProcesses {
  private readonly running = new Set<ChildProcess>();

  async start(databaseUrl: string, port: number, extra: string[] = []): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "engine/main.ts", "--database-url", databaseUrl, "--port", String(port), "--lease", "1500", "--poll", "100", "--time-scale", "0.001", "--quiet", ...extra],
      { cwd: path.resolve(__dirname, "../.."), stdio: ["ignore", "ignore", "pipe"] },
    );
    this.running.add(child);
    child.on("exit", () => this.running.delete(child));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, { timeoutMs: 20_000, what: "child engine to listen" });
    return child;
  }

  async kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }

  async killAll(): Promise<void> {
    for (const child of [...this.running]) await this.kill(child);
  }
}
