import { spawn } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";
import { waitFor } from "@/tests/harness/wait";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// A suite (chaos, soak) starts its stack's processes as group leaders; when the suite itself is
// killed outright, no exit handler runs, and nothing of its stack may stay behind.
it("a group-leader child and what it started go down when the process that started it is SIGKILLed", async () => {
  const processes = path.resolve("scripts/lib/processes.ts");
  // The child starts a grandchild in its group, as tsx starts node and `next` its server.
  const child = `require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" }); setInterval(() => {}, 1000)`;
  const parent = spawn(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", `const { startChild } = await import(${JSON.stringify(processes)}); const c = startChild("t", process.execPath, ["-e", ${JSON.stringify(child)}], process.env, true, true); console.log(c.process.pid); setInterval(() => {}, 1000);`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const leader = await new Promise<number>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));
  // The grandchild is in the leader's group: wait until it is there too.
  const inGroup = () => {
    try {
      process.kill(-leader, 0);
      return true;
    } catch {
      return false;
    }
  };
  expect(alive(leader)).toBe(true);
  parent.kill("SIGKILL");
  try {
    await waitFor(() => !alive(leader) && !inGroup(), "the child's process group to be gone", 10_000);
  } finally {
    // A failing run leaves nothing behind either.
    if (inGroup()) process.kill(-leader, "SIGKILL");
  }
});
