// Child processes for the local stack: prefixed output, and one shutdown for all of them.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";

export type Child = { name: string; process: ChildProcess; exited: Promise<number | null> };

/**
 * `quiet` drops the child's stdout (stderr is always shown). `group` starts the child as the
 * leader of its own process group, so `killTree` reaches what it starts in turn (tsx runs the
 * engine in a second node process; a SIGKILL to tsx alone would leave that one running).
 */
export function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, quiet = false, group = false): Child {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: group });
  const prefix = `[${name}] `;
  const pipe = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
    let buffered = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) out.write(prefix + line + "\n");
    });
  };
  if (quiet) child.stdout?.resume();
  else pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  if (group) {
    // A group leader does not die with its parent's terminal: take the group down with us.
    const killOnExit = () => killTree(child, "SIGKILL");
    process.once("exit", killOnExit);
    void exited.then(() => process.removeListener("exit", killOnExit));
    if (child.pid !== undefined) reapWhenOrphaned(child.pid);
  }
  return { name, process: child, exited };
}

/**
 * Exit handlers do not run when this process is killed outright (SIGKILL, an OOM kill, a signal it
 * has no handler for): its group-leader children would run on with nobody to stop them — a
 * `next start` left behind by a killed chaos run spun at 0.75 core for an hour. A detached watcher
 * (`sh`, outside every group we kill) takes the group down once this process is gone, and ends by
 * itself when the group ends first.
 */
function reapWhenOrphaned(pgid: number): void {
  if (process.platform === "win32") return;
  const parent = process.pid;
  const script = `while kill -0 ${parent} 2>/dev/null && kill -0 -${pgid} 2>/dev/null; do sleep 1; done; kill -0 ${parent} 2>/dev/null || kill -9 -${pgid} 2>/dev/null`;
  spawn("sh", ["-c", script], { detached: true, stdio: "ignore" }).unref();
}

/** SIGKILL reaches the child's whole process group (when started with `group`); SIGTERM only the child, which forwards it. */
export function killTree(child: ChildProcess, signal: "SIGKILL" | "SIGTERM"): void {
  if (child.pid === undefined) return;
  try {
    if (signal === "SIGKILL") process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    child.kill(signal); // not a group leader, or already gone
  }
}

/** Resident memory of a process and all its descendants, in bytes (Linux /proc; 0 elsewhere). */
export function treeRss(pid: number): number {
  let children: Map<number, number[]>;
  try {
    children = new Map();
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return 0;
  }
  let total = 0;
  const queue = [pid];
  while (queue.length) {
    const next = queue.pop()!;
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${next}/status`, "utf8"))?.[1];
      total += Number(rss ?? 0) * 1024;
    } catch {
      // gone meanwhile
    }
    queue.push(...(children.get(next) ?? []));
  }
  return total;
}

export async function waitForHttp(url: string, timeoutMs: number, child?: Child): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child?.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child?.name} exited before ${url} answered`);
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export async function stopChildren(children: Child[]): Promise<void> {
  for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGTERM");
  await Promise.race([Promise.all(children.map((c) => c.exited)), new Promise((r) => setTimeout(r, 5_000))]);
  for (const child of children) if (child.process.exitCode === null) killTree(child.process, "SIGKILL");
}

/**
 * A script run to its end as npm runs it (`node --import tsx`, plus `--conditions=react-server`
 * for the app's code): its exit code and everything it printed on both streams. For the tests
 * that hold a script to what it says on the command line.
 */
export async function runScript(script: string, args: string[], options: { reactServer?: boolean; env?: Record<string, string> } = {}): Promise<{ code: number | null; out: string }> {
  const flags = options.reactServer ? ["--conditions=react-server", "--import", "tsx"] : ["--import", "tsx"];
  const child = spawn(process.execPath, [...flags, script, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, out };
}
