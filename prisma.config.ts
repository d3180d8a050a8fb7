// Loaded by the Prisma CLI only (generate, migrate); the app never imports this file.
// Prisma 6.19.3 with `engine: "js"` is the one Prisma that migrates offline here (Prisma 7's CLI
// downloads its schema engine at start). The js engine needs a few shims, each marked with the bug
// it covers; remove them when Prisma fixes those (see docs/decisions/2026-11-29-postgres-and-prisma-6.md).
import nextEnv from "@next/env";
import { defineConfig } from "prisma/config";

nextEnv.loadEnvConfig(process.cwd()); // the CLI skips .env files once a config file exists

// [F1] Without a parseable postgres URL the CLI cannot read `engineType`, assumes the library
// engine and tries to download it (even for `generate`). Generation needs no database, so a
// placeholder is enough; commands that connect fail loudly against it.
process.env.DATABASE_URL ??= "postgresql://unset@127.0.0.1:1/unset";
const databaseUrl = process.env.DATABASE_URL;

// [W1] The wasm schema engine leaves a 60 s timer behind after `migrate dev`/`db push`, keeping
// the CLI alive for a minute after it is done. Unref long timers so the process can exit.
const nativeSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = nativeSetTimeout(fn, ms, ...args);
  if ((ms ?? 0) >= 10_000) timer.unref();
  return timer;
}) as typeof setTimeout;

/* eslint-disable @typescript-eslint/no-explicit-any -- these shims patch untyped adapter internals */
async function postgresAdapter(url: string) {
  const pg = (await import("pg")).default;
  const { PrismaPg } = await import("@prisma/adapter-pg");

  // [W6] prisma/orm#27403: adapter-pg cannot decode the catalog types "char" (18) and name (19)
  // that the schema engine reads while migrating; hand them over as text.
  const asText = (result: any) => {
    for (const res of Array.isArray(result) ? result : [result])
      for (const field of res?.fields ?? [])
        if (field.dataTypeID === 18 || field.dataTypeID === 19) field.dataTypeID = 25;
    return result;
  };
  class CatalogClient extends pg.Client {
    query(...args: any[]): any {
      const callback = args.at(-1);
      if (typeof callback === "function")
        args[args.length - 1] = (error: any, result: any) => callback(error, error ? result : asText(result));
      const out = (super.query as any)(...args);
      return typeof out?.then === "function" ? out.then(asText) : out;
    }
  }

  const pool = new pg.Pool({ connectionString: url, Client: CatalogClient as any, allowExitOnIdle: true });
  const factory: any = new PrismaPg(pool, { disposeExternalPool: true });
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter: any = await connect();
    // [W7] adapter-pg's executeScript splits on ';', which breaks $$-quoted function bodies.
    adapter.executeScript = async (sql: string) => void (await pool.query(sql));
    return adapter;
  };

  // [F11] adapter-pg's own shadow database connects to the main database when given a
  // connection string, and drops the shadow before closing its pool. Make a scratch database on
  // the same server instead, and drop it after disconnecting.
  factory.connectToShadowDb = async () => {
    const name = `prisma_shadow_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    const shadowUrl = new URL(url);
    shadowUrl.pathname = `/${name}`;
    const shadow: any = await (await postgresAdapter(shadowUrl.toString())).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    };
    return shadow;
  };
  return factory;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// [W8] The CLI calls adapter() more than once; one pool is enough.
let adapter: ReturnType<typeof postgresAdapter> | undefined;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  adapter: () => (adapter ??= postgresAdapter(databaseUrl)),
});
