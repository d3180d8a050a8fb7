// In-memory view of the synced functions, reloaded after a sync in this process and on the
// engine_functions NOTIFY from another process (plus the poll fallback). It remembers the
// registry_version it was loaded at (migration 007): the event API checks that against the
// database when it stores events, and reloads first when another process synced meanwhile.
import type { Db } from "./db";
import { compileFunction, type FnDef } from "./functions";

/**
 * Thrown by the statement that stores events (nothing written; the caller's transaction, if any,
 * rolls back) when the functions changed through another process since this registry was loaded:
 * the event API reloads the registry and tries again.
 */
export class RegistryChanged extends Error {
  constructor() {
    super("the synced functions changed since this engine loaded them");
  }
}

/** SQL: whether the registry version passed as parameter `$n` is out of date (null: never). */
export const registryStaleSql = (n: number) => `coalesce((select version from registry_version) <> $${n}::bigint, false)`;

/** Tries of an event API call against a registry that other processes' syncs keep changing. */
const REGISTRY_TRIES = 4;

export class Registry {
  private fns = new Map<string, FnDef>();
  private cronCreated = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  private loadedVersion = -1;

  constructor(private readonly db: Db) {}

  get(id: string): FnDef | undefined {
    return this.fns.get(id);
  }

  all(): FnDef[] {
    return [...this.fns.values()];
  }

  /**
   * The version an event API call checks on its `attempt`-th try: the one the functions were
   * loaded at; null (no check) on the last try, which takes the registry as it is rather than fail.
   */
  versionForTry(attempt: number): number | null {
    return attempt < REGISTRY_TRIES ? this.loadedVersion : null;
  }

  /** The function, reloading first if this process does not know it yet (synced through another). */
  async getFresh(id: string): Promise<FnDef | undefined> {
    const fn = this.fns.get(id);
    if (fn) return fn;
    await this.reload();
    return this.fns.get(id);
  }

  cronCreatedAt(fnId: string, cron: string): number | undefined {
    return this.cronCreated.get(`${fnId}\n${cron}`);
  }

  reload(): Promise<void> {
    const run = async () => {
      // Read before the functions: a sync committed in between makes the functions newer than the
      // version, which costs one more reload later, never a registry older than its version.
      const v = await this.db.query<{ version: number }>("select version from registry_version");
      const rows = await this.db.query<{ id: string; app_id: string; config: unknown }>(
        "select id, app_id, config from functions",
      );
      const next = new Map<string, FnDef>();
      for (const row of rows.rows) {
        try {
          next.set(row.id, compileFunction(row.config, row.app_id));
        } catch {
          // Validated at sync; a row that no longer compiles (older engine) is skipped.
        }
      }
      const crons = await this.db.query<{ function_id: string; cron: string; created_at: Date }>(
        "select function_id, cron, created_at from cron_schedules",
      );
      const created = new Map<string, number>();
      for (const c of crons.rows) created.set(`${c.function_id}\n${c.cron}`, c.created_at.getTime());
      this.fns = next;
      this.cronCreated = created;
      this.loadedVersion = v.rows[0]?.version ?? 0;
    };
    // Serialise reloads so an older result never replaces a newer one.
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => {});
    return p;
  }
}
