// App sync: in-band (we PUT the serve URL and the SDK answers with its function configs) and
// out-of-band (the SDK POSTs /fn/register). Both go through `register`, which validates every
// function before writing anything, so a bad config fails the whole sync with the function named.
import { FUNCTIONS_CHANNEL, type Ctx } from "./context";
import { iso, withTx } from "./db";
import { compileFunction, stripDeployId, SyncError, type FnDef } from "./functions";
import { canonicalJson } from "./signing";
import { unstorableIn, unstorableRefusal } from "./unstorable";

export type SyncResult = {
  appId: string;
  url: string;
  functions: string[];
  /** What this sync changed (function ids); all empty when the app was already synced as is. */
  changes?: { added: string[]; removed: string[]; updated: string[] };
};

export type RegisterPayload = {
  appId: string;
  url: string;
  sdk?: string;
  functions: unknown[];
};

export async function register(ctx: Ctx, payload: RegisterPayload): Promise<SyncResult> {
  if (!payload.appId) throw new SyncError("sync payload has no app id");
  if (!Array.isArray(payload.functions)) throw new SyncError(`app "${payload.appId}": "functions" must be an array`);
  // Configs are kept in jsonb too (unstorable.ts); a sync is rare, so they are always searched.
  const unstorable = unstorableIn(payload.functions);
  if (unstorable) throw new SyncError(unstorableRefusal(`app "${payload.appId}": the function configs`, unstorable));
  const defs: FnDef[] = payload.functions.map((f) => compileFunction(f, payload.appId));
  // Every URL the engine would call must be on an allowed host (auth.ts), not just the app's.
  ctx.auth.assertAppUrl(payload.url);
  for (const d of defs) ctx.auth.assertAppUrl(d.url, `function "${d.id}": step URL`);
  const ids = new Set<string>();
  for (const d of defs) {
    if (ids.has(d.id)) throw new SyncError(`app "${payload.appId}": duplicate function id "${d.id}"`);
    ids.add(d.id);
  }
  const url = stripDeployId(payload.url);
  const now = iso(ctx.clock());
  const changes = await withTx(ctx.db, async (tx) => {
    // One sync of an app at a time (across processes too), so two that race (the start-up sync, a
    // poll, `POST /v1/apps/sync`) compare with each other's result instead of both writing.
    await tx.query("select pg_advisory_xact_lock(hashtext('engine-app-sync'), hashtext($1))", [payload.appId]);
    // Compare with what is stored first: a re-sync of the same functions (an app poll, a second
    // engine process) writes nothing, reloads nothing and logs nothing.
    const app = await tx.query<{ url: string; sdk: string | null; error: string | null }>(
      "select url, sdk, error from apps where id = $1 for update",
      [payload.appId],
    );
    const stored = await tx.query<{ id: string; config: unknown }>("select id, config from functions where app_id = $1", [payload.appId]);
    const before = new Map(stored.rows.map((r) => [r.id, canonicalJson(r.config)]));
    const diff = {
      added: defs.filter((d) => !before.has(d.id)).map((d) => d.id),
      removed: [...before.keys()].filter((id) => !ids.has(id)),
      updated: defs.filter((d) => before.has(d.id) && before.get(d.id) !== canonicalJson(d.config)).map((d) => d.id),
    };
    const a = app.rows[0];
    const same = a && a.url === url && a.sdk === (payload.sdk ?? null) && a.error === null;
    if (same && !diff.added.length && !diff.removed.length && !diff.updated.length) return null;
    await tx.query(
      `insert into apps (id, url, sdk, synced_at, error) values ($1, $2, $3, $4, null)
       on conflict (id) do update set url = excluded.url, sdk = excluded.sdk, synced_at = excluded.synced_at, error = null`,
      [payload.appId, url, payload.sdk ?? null, now],
    );
    await tx.query("delete from functions where app_id = $1 and not (id = any($2))", [payload.appId, [...ids]]);
    for (const d of defs) {
      await tx.query(
        `insert into functions (id, app_id, name, url, max_attempts, config, updated_at) values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (id) do update set app_id = excluded.app_id, name = excluded.name, url = excluded.url,
           max_attempts = excluded.max_attempts, config = excluded.config, updated_at = excluded.updated_at`,
        [d.id, payload.appId, d.name, d.url, d.maxAttempts, JSON.stringify(d.config), now],
      );
      const crons = d.crons.map((c) => c.cron);
      await tx.query("delete from cron_schedules where function_id = $1 and not (cron = any($2))", [d.id, crons]);
      for (const cron of crons) {
        await tx.query(
          "insert into cron_schedules (function_id, cron, created_at) values ($1, $2, $3) on conflict do nothing",
          [d.id, cron, now],
        );
      }
    }
    // Bumped in this transaction: the event API of every process sees a new version from the
    // moment these functions are visible (migration 007).
    await tx.query("update registry_version set version = version + 1");
    await tx.query("select pg_notify($1, '')", [FUNCTIONS_CHANNEL]);
    return { ...diff, first: !a };
  });
  const result = { appId: payload.appId, url, functions: defs.map((d) => d.id) };
  if (!changes) return { ...result, changes: { added: [], removed: [], updated: [] } };
  await ctx.registry.reload();
  // A first sync lists nothing (every function is new); later ones name what changed.
  const names = (ids: string[]) => (ids.length && !changes.first ? ids.slice(0, 10).join(",") + (ids.length > 10 ? `,…(+${ids.length - 10})` : "") : undefined);
  ctx.log.info("app synced", {
    app: payload.appId,
    url,
    functions: defs.length,
    added: names(changes.added),
    removed: names(changes.removed),
    updated: names(changes.updated),
  });
  const { first: _first, ...diff } = changes;
  return { ...result, changes: diff };
}

export async function recordSyncError(ctx: Ctx, url: string, message: string) {
  await ctx.db
    .query("update apps set error = $2 where url = $1", [stripDeployId(url), message])
    .catch(() => {});
}

/**
 * What an app serves: the in-band answer to `PUT <url>` (its app id and every function config), or,
 * for an SDK that does not sync in-band, `out_of_band` once it has POSTed /fn/register itself.
 */
export type AppConfig = { kind: "in_band"; payload: RegisterPayload } | { kind: "out_of_band" };

/** `PUT <url>` with the in-band header (protocol §1.4); throws SyncError naming what went wrong. */
export async function fetchAppConfig(
  ctx: Ctx,
  url: string,
  opts: { timeoutMs?: number; poll?: boolean } = {},
): Promise<AppConfig> {
  const timeoutMs = opts.timeoutMs ?? ctx.opts.requestTimeoutMs;
  ctx.auth.assertAppUrl(url);
  let res: Response;
  try {
    // A poll is marked in the query (`engine-poll=1`; the SDK reads only `deployId` there and takes
    // the URL it registers from the body), so an app can leave these frequent requests out of its
    // request log (next.config.ts does).
    const target = new URL(url);
    if (opts.poll) target.searchParams.set("engine-poll", "1");
    // Signed in signed mode: an SDK in cloud mode answers an in-band sync only to a signed PUT.
    const wire = ctx.auth.encode({ url });
    res = await fetch(target, {
      method: "PUT",
      headers: { "content-type": "application/json", "x-inngest-sync-kind": "in_band", ...wire.headers },
      body: wire.text,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new SyncError(`cannot reach ${url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new SyncError(`sync of ${url} answered HTTP ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  if (res.headers.get("x-inngest-sync-kind") === "in_band" && Array.isArray(body.functions)) {
    return {
      kind: "in_band",
      payload: {
        appId: String(body.app_id ?? ""),
        url: typeof body.url === "string" ? body.url : url,
        sdk: typeof body.sdk === "string" ? body.sdk : undefined,
        functions: body.functions,
      },
    };
  }
  // Out-of-band: the SDK already called /fn/register before answering the PUT.
  if (res.status !== 200) {
    const hint = res.status === 401 ? ` (${ctx.auth.refusalHint()})` : "";
    throw new SyncError(`sync of ${url} failed: HTTP ${res.status} ${String(body.message ?? text.slice(0, 200))}${hint}`);
  }
  return { kind: "out_of_band" };
}

/** Registers an in-band answer; a rejected config is recorded on the app (its last good functions stay). */
export async function registerFetched(ctx: Ctx, url: string, payload: RegisterPayload): Promise<SyncResult> {
  try {
    return await register(ctx, payload);
  } catch (err) {
    await recordSyncError(ctx, url, (err as Error).message);
    throw err;
  }
}

/** What /fn/register recorded for the app at `url` (the SDK POSTed it while answering our PUT). */
export async function registeredOutOfBand(ctx: Ctx, url: string): Promise<SyncResult> {
  const app = await ctx.db.query<{ id: string }>("select id from apps where url = $1", [stripDeployId(url)]);
  const appId = app.rows[0]?.id ?? "";
  const fns = ctx.registry.all().filter((f) => f.appId === appId).map((f) => f.id);
  return { appId, url: stripDeployId(url), functions: fns };
}
