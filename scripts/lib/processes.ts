// Child processes for the local stack: prefixed output, and one shutdown for all of them.
import { spawn, type ChildProcess } from "node:child_process";

export type Child = { name: string; process: ChildProcess; exited: Promise<number | null> };

/** `quiet` drops the child's stdout (stderr is always shown). */
export function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, quiet = false): Child {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
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
  return { name, process: child, exited };
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
  for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGKILL");
}
