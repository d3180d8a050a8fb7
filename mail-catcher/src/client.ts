// A small client for the /_catcher endpoints, for code that talks to a catcher running in another
// process (Playwright, the dev orchestrator). Same shapes as the in-process handle.
import type { ProviderCounters } from "./counters";
import type { FaultRule, FaultRuleInput } from "./faults";
import type { MessageFilter } from "./store";
import type { Attempt, StoredMessage } from "./types";

export interface MailCatcherClient {
  messages(filter?: MessageFilter): Promise<StoredMessage[]>;
  /** Long-polls until at least `count` (default 1) messages match; throws after `timeoutMs` (default 10 s). */
  waitForMessages(filter?: MessageFilter & { count?: number; timeoutMs?: number }): Promise<StoredMessage[]>;
  clearMessages(): Promise<number>;
  requests(filter?: { to?: string }): Promise<Attempt[]>;
  /** Clears the request log, the conventions' counters and the call counters. */
  clearRequests(): Promise<void>;
  /** Calls received and 429s answered, in total and per Resend endpoint (for "provider calls made"). */
  counters(): Promise<ProviderCounters>;
  faults(): Promise<FaultRule[]>;
  setFaults(rules: FaultRuleInput[]): Promise<FaultRule[]>;
  addFault(rule: FaultRuleInput): Promise<FaultRule>;
  removeFault(id: string): Promise<boolean>;
  clearFaults(): Promise<void>;
  reset(): Promise<void>;
  health(): Promise<boolean>;
}

export interface MailCatcherClientOptions {
  /** The catcher's token, when it was started with one (`--token`). */
  token?: string;
}

export function createMailCatcherClient(baseUrl: string, options: MailCatcherClientOptions = {}): MailCatcherClient {
  const base = baseUrl.replace(/\/+$/, "");

  async function call<T>(method: string, path: string, body?: unknown, ok: number[] = [200, 201]): Promise<{ status: number; data: T }> {
    const headers: Record<string, string> = {};
    // The catcher refuses POST/PUT without a JSON content type, empty bodies included.
    if (method !== "GET") headers["content-type"] = "application/json";
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await response.json().catch(() => null)) as T;
    if (!ok.includes(response.status)) {
      const message = (data as { message?: unknown } | null)?.message;
      throw new Error(`mail-catcher ${method} ${path} answered ${response.status}${typeof message === "string" ? `: ${message}` : ""}`);
    }
    return { status: response.status, data };
  }

  const query = (params: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
    const s = search.toString();
    return s ? `?${s}` : "";
  };

  return {
    messages: async (filter = {}) => (await call<StoredMessage[]>("GET", `/_catcher/messages${query({ to: filter.to })}`)).data,
    async waitForMessages(filter = {}) {
      const count = filter.count ?? 1;
      const timeoutMs = filter.timeoutMs ?? 10_000;
      const { data } = await call<StoredMessage[]>(
        "GET",
        `/_catcher/messages${query({ to: filter.to, count, wait: timeoutMs })}`,
      );
      if (data.length < count) {
        throw new Error(
          `mail-catcher: expected ${count} message(s)${filter.to ? ` to ${filter.to}` : ""} within ${timeoutMs} ms, found ${data.length}`,
        );
      }
      return data;
    },
    clearMessages: async () => (await call<{ deleted: number }>("DELETE", "/_catcher/messages")).data.deleted,
    requests: async (filter = {}) => (await call<Attempt[]>("GET", `/_catcher/requests${query({ to: filter.to })}`)).data,
    clearRequests: async () => {
      await call("DELETE", "/_catcher/requests");
    },
    counters: async () => (await call<ProviderCounters>("GET", "/_catcher/counters")).data,
    faults: async () => (await call<FaultRule[]>("GET", "/_catcher/faults")).data,
    setFaults: async (rules) => (await call<FaultRule[]>("PUT", "/_catcher/faults", rules)).data,
    addFault: async (rule) => (await call<FaultRule>("POST", "/_catcher/faults", rule)).data,
    removeFault: async (id) =>
      (await call("DELETE", `/_catcher/faults/${encodeURIComponent(id)}`, undefined, [200, 404])).status === 200,
    clearFaults: async () => {
      await call("DELETE", "/_catcher/faults");
    },
    reset: async () => {
      await call("POST", "/_catcher/reset");
    },
    health: async () => {
      try {
        return (await call("GET", "/_catcher/health")).status === 200;
      } catch {
        return false;
      }
    },
  };
}
