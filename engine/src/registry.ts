// In-memory view of the synced functions, reloaded after a sync in this process and on the
// engine_functions NOTIFY from another process (plus the poll fallback). `version` is the
// registry_version it was loaded at (migration 007): the event API checks it against the database
// when it stores events, and reloads first when another process synced meanwhile.
import type { Db } from "./db";
import { compileFunction, type FnDef } from "./functions";

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

  /** The registry_version the functions were loaded at (-1 before the first load). */
  get version(): number {
    return this.loadedVersion;
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
