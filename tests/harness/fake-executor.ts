// An HTTP server standing in for the executor's read API at the address the app is configured
// with (INNGEST_DEV, set per worker by tests/setup/worker-env.ts): outbound HTTP faked at the
// boundary, so the app's own client code runs unchanged. Only for test files that do not start
// the background stack (which owns that port).
import http from "node:http";

export type FakeAnswer = { status: number; body?: unknown };

export type FakeExecutor = {
  /** Answer every request with this from now on. */
  answer: (answer: FakeAnswer) => void;
  /** Paths requested so far. */
  paths: string[];
  stop: () => Promise<void>;
};

export async function startFakeExecutor(initial: FakeAnswer): Promise<FakeExecutor> {
  const port = Number(new URL(process.env.INNGEST_DEV!).port);
  let current = initial;
  const paths: string[] = [];
  const server = http.createServer((request, response) => {
    paths.push(request.url ?? "");
    response.writeHead(current.status, { "content-type": "application/json", connection: "close" });
    response.end(JSON.stringify(current.body ?? { error: `status ${current.status}` }));
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  return {
    answer: (answer) => void (current = answer),
    paths,
    // Drop kept-alive sockets too: fetch would otherwise reuse one and reach this server after it stopped.
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The executor's record of a failed run whose one step failed `times` times. */
export function failedRun(runId: string, times: number) {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, s)).toISOString();
  return {
    data: {
      run_id: runId,
      status: "Failed",
      steps: [{ id: "send", name: "send" }],
      attempts: [
        ...Array.from({ length: times }, (_, i) => ({ step_id: "send", step_name: "send", attempt: i, outcome: i === times - 1 ? "failed" : "error", error: { name: "Error", message: "boom" }, started_at: at(i * 2), ended_at: at(i * 2 + 1) })),
        { step_id: "step", step_name: null, attempt: 0, outcome: "failed", error: { name: "Error", message: "boom" }, started_at: at(times * 2), ended_at: at(times * 2) },
      ],
    },
  };
}
