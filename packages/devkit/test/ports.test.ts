import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { assertPortsFree, DevSetupError, freePort } from "../index";

describe("port check before a stack starts", () => {
  const servers: net.Server[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ports-"));
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  async function occupy(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    servers.push(server);
    return (server.address() as net.AddressInfo).port;
  }

  it("passes when every port is free", async () => {
    await expect(assertPortsFree({ app: await freePort() }, { command: "npm run dev", recordFile: path.join(dir, "none.json") })).resolves.toBeUndefined();
  });

  it("names each taken port and the process holding it", async () => {
    const taken = await occupy();
    const free = await freePort();
    const error = await assertPortsFree({ app: free, engine: taken }, { command: "npm run dev", recordFile: path.join(dir, "none.json") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevSetupError);
    const message = (error as Error).message;
    expect(message).toContain(`engine port ${taken} is taken`);
    expect(message).not.toContain(`port ${free}`);
    if (process.platform === "linux") expect(message).toContain(`by pid ${process.pid}`);
    expect(message).toContain("Stop whatever holds it");
  });

  it("says when the holder is an earlier run of the same command", async () => {
    const taken = await occupy();
    const recordFile = path.join(dir, "stack.json");
    // What `recordStack` writes: this (live) process stands in for the earlier `npm run dev`.
    fs.writeFileSync(recordFile, JSON.stringify({ command: "npm run dev", pid: process.pid, startedAt: "2026-11-30T20:00:00.000Z", ports: { app: taken } }));
    const error = await assertPortsFree({ app: taken }, { command: "npm run dev", recordFile }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`An earlier \`npm run dev\` is still running (pid ${process.pid}`);
  });

  it("ignores the record of a run that has ended", async () => {
    const taken = await occupy();
    const recordFile = path.join(dir, "stale.json");
    fs.writeFileSync(recordFile, JSON.stringify({ command: "npm run dev", pid: 2 ** 22 + 1, startedAt: "x", ports: {} }));
    const error = await assertPortsFree({ app: taken }, { command: "npm run dev", recordFile }).catch((e: unknown) => e);
    expect((error as Error).message).not.toContain("earlier");
  });
});
