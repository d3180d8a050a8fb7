// Keeps the engine's view of each app current, as the Inngest Dev Server does: every `intervalMs`
// it asks each known app (the --app-url ones and every app in the `apps` table) for its functions
// with the same in-band `PUT` a sync uses, and registers them when they changed. The SDK's GET
// introspection would be no cheaper (the SDK builds every function config for it too) and in dev
// mode it only reports `function_count`, which misses a changed trigger, cron or setting; the PUT
// answer is the whole configuration, so a hash of it is what is compared.
//
// A sync that fails (an app that cannot be reached, a function the engine refuses) keeps the last
// good functions running: the error is logged once per distinct error, recorded on the app (the
// UI's Apps page shows it) and the same broken configuration is not re-validated every poll.
import { createHash } from "node:crypto";
import type { Ctx } from "./context";
import { SyncError, stripDeployId } from "./functions";
import { canonicalJson } from "./signing";
import { fetchAppConfig, recordSyncError, registeredOutOfBand, registerFetched, type SyncResult } from "./sync";

export type AppWatchState = {
  url: string;
  /** Engine-clock ms of the last check (poll or sync) that got an answer or an error. */
  checkedAt: number | null;
  /** The last check's error (unreachable app, rejected function), null when it went well. */
  error: string | null;
};

type UrlState = AppWatchState & { hash?: string; syncing?: number };

export class AppPoller {
  private states = new Map<string, UrlState>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: Ctx,
    /** 0 = no polling: apps are synced at start and on demand only. */
    readonly intervalMs: number,
    private readonly urls: string[],
  ) {
    for (const url of urls) this.state(url);
  }

  start(): void {
    if (this.intervalMs > 0) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** What each known serve URL last answered, for the UI. */
  list(): AppWatchState[] {
    return [...this.states.values()].map(({ url, checkedAt, error }) => ({ url, checkedAt, error }));
  }

  /**
   * An explicit sync (at start, `POST /v1/apps/sync`, the UI's "Sync now"): always registers what
   * the app serves and throws its SyncError; the result is remembered so the next poll has
   * nothing to do.
   */
  async syncNow(url: string): Promise<SyncResult> {
    // A URL the engine may not call is refused before it is remembered (and polled).
    this.ctx.auth.assertAppUrl(url);
    const st = this.state(url);
    st.syncing = (st.syncing ?? 0) + 1;
    try {
      const fetched = await fetchAppConfig(this.ctx, url);
      if (fetched.kind === "out_of_band") {
        Object.assign(st, { checkedAt: this.ctx.clock(), error: null, hash: undefined });
        return await registeredOutOfBand(this.ctx, url);
      }
      st.hash = hashOf(fetched.payload);
      const res = await registerFetched(this.ctx, url, fetched.payload);
      Object.assign(st, { checkedAt: this.ctx.clock(), error: null });
      return res;
    } catch (err) {
      Object.assign(st, { checkedAt: this.ctx.clock(), error: (err as Error).message });
      if (!(err instanceof SyncError)) st.hash = undefined;
      throw err;
    } finally {
      st.syncing = (st.syncing ?? 1) - 1;
    }
  }

  /** One round over every known app, one at a time (at most one round runs at once). */
  pollAll(): Promise<void> {
    this.running ??= (async () => {
      try {
        const rows = await this.ctx.db.query<{ url: string }>("select url from apps order by id");
        for (const r of rows.rows) this.state(r.url);
        for (const url of [...this.states.keys()]) {
          if (this.stopped) return;
          await this.poll(url);
        }
      } catch (err) {
        if (!this.stopped) this.ctx.log.warn("app poll failed", { error: (err as Error).message });
      }
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async poll(url: string): Promise<void> {
    const st = this.state(url);
    // A sync of this app is under way (the start-up one waits for `next dev` to compile the route).
    if (st.syncing) return;
    // Long enough for a dev server to compile the route after a change; a stall beyond that must
    // not hold up the other apps for good.
    const timeoutMs = Math.min(this.ctx.opts.requestTimeoutMs, Math.max(30_000, this.intervalMs * 5));
    let fetched;
    try {
      fetched = await fetchAppConfig(this.ctx, url, { timeoutMs, poll: true });
    } catch (err) {
      const message = (err as Error).message;
      if (st.error !== message) {
        this.ctx.log.warn("app poll failed, will retry", { url, error: message });
        await recordSyncError(this.ctx, url, message);
      }
      // Whatever it serves once it answers again is registered (and clears the error).
      Object.assign(st, { checkedAt: this.ctx.clock(), error: message, hash: undefined });
      return;
    }
    if (this.stopped) return;
    if (fetched.kind === "out_of_band") {
      // The SDK POSTed /fn/register before answering; register() wrote only what changed.
      Object.assign(st, { checkedAt: this.ctx.clock(), error: null, hash: undefined });
      return;
    }
    const hash = hashOf(fetched.payload);
    st.checkedAt = this.ctx.clock();
    if (hash === st.hash) {
      this.ctx.log.debug("app unchanged", { url });
      return;
    }
    try {
      await registerFetched(this.ctx, url, fetched.payload);
      Object.assign(st, { hash, error: null });
    } catch (err) {
      const message = (err as Error).message;
      // Not retried until the app serves something else: the same config fails the same way.
      Object.assign(st, { hash: err instanceof SyncError ? hash : undefined, error: message });
      this.ctx.log.warn("app sync failed, keeping its last synced functions", { app: fetched.payload.appId, url, error: message });
    }
  }

  private schedule() {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pollAll().finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref?.();
  }

  private state(url: string): UrlState {
    const key = stripDeployId(url);
    let st = this.states.get(key);
    if (!st) {
      st = { url: key, checkedAt: null, error: null };
      this.states.set(key, st);
    }
    return st;
  }
}

function hashOf(payload: { appId: string; url: string; sdk?: string; functions: unknown[] }): string {
  return createHash("sha256")
    .update(canonicalJson({ app: payload.appId, url: stripDeployId(payload.url), sdk: payload.sdk ?? null, functions: payload.functions }))
    .digest("hex");
}
