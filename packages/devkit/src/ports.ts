// Ports for local stacks: a free one for a test's own server, and a check of a stack's fixed ports
// before anything starts, so a taken port is named (and its owner, when we can tell) instead of
// surfacing later as an unhandled EADDRINUSE from whichever child happened to bind first.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { DevSetupError } from "./errors";

/** A port the OS just handed out and released, for servers a test or a bench starts itself. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

export type StackPorts = Record<string, number>;

/** What a running stack writes beside its data, so the next one can tell it is still there. */
type StackRecord = { command: string; pid: number; startedAt: string; ports: StackPorts };

/**
 * Fails with one message naming every taken port (and who holds it) before a stack starts.
 * `recordFile` is where a running stack of this kind records itself (see `recordStack`).
 */
export async function assertPortsFree(ports: StackPorts, options: { command: string; recordFile: string }): Promise<void> {
  const taken: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (await isPortFree(port)) continue;
    const owner = portOwner(port);
    taken.push(`${name} port ${port} is taken${owner ? ` by pid ${owner.pid} (${owner.command})` : ""}`);
  }
  if (taken.length === 0) return;

  const earlier = readRecord(options.recordFile);
  const hint = earlier
    ? `An earlier \`${earlier.command}\` is still running (pid ${earlier.pid}, started ${earlier.startedAt}): stop it (Ctrl-C in its terminal, or \`kill ${earlier.pid}\`) or use that one.`
    : "Stop whatever holds it, then try again.";
  throw new DevSetupError(`\`${options.command}\` cannot start: ${taken.join("; ")}. ${hint}`);
}

/** Records this process as the running stack; the record goes away when the process ends. */
export function recordStack(ports: StackPorts, options: { command: string; recordFile: string }) {
  const record: StackRecord = { command: options.command, pid: process.pid, startedAt: new Date().toISOString(), ports };
  fs.mkdirSync(path.dirname(options.recordFile), { recursive: true });
  fs.writeFileSync(options.recordFile, JSON.stringify(record));
  process.once("exit", () => {
    if (readRecord(options.recordFile)?.pid === process.pid) fs.rmSync(options.recordFile, { force: true });
  });
}

function readRecord(file: string): StackRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(file, "utf8")) as StackRecord;
    process.kill(record.pid, 0); // throws when that process is gone
    return record;
  } catch {
    return undefined;
  }
}

/**
 * The process listening on a loopback/any-address TCP port, from /proc (Linux). Best effort: other
 * users' processes are visible only to root; elsewhere this returns undefined.
 */
export function portOwner(port: number): { pid: number; command: string } | undefined {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = fs.readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // state 0A = LISTEN; the local address ends in the port in hex
      if (fields[3] === "0A" && local && parseInt(local.split(":")[1] ?? "", 16) === port && fields[9]) inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) {
          return { pid: Number(pid), command: describeCommand(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean)) };
        }
      } catch {
        // fd closed while reading
      }
    }
  }
  return undefined;
}

/** `node --require …/preflight.cjs --import … engine/main.ts --port 8288` → `node engine/main.ts`. */
function describeCommand(argv: string[]): string {
  const [program = "?", ...args] = argv;
  const name = path.basename(program);
  if (name === "node" || name === "nodejs") {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (["--require", "-r", "--import", "--loader"].includes(arg)) i++;
      else if (!arg.startsWith("-")) return `node ${path.relative(process.cwd(), arg) || arg}`;
    }
  }
  const text = argv.join(" ");
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
