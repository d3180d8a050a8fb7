// Fault injection by recipient. Built-in conventions need no setup, so parallel tests stay
// independent by using distinct addresses (`bounce503x2+<test-id>@example.com`); runtime rules let
// a test change behaviour mid-run ("fix the cause") and take precedence over the conventions.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { defaultErrorMessage, defaultErrorName } from "./errors";
import { localPart } from "./addresses";

export const FAULT_STATUSES = [200, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504] as const;

export const faultRuleSchema = z.object({
  id: z.string().min(1).max(100).optional(),
  match: z
    .string()
    .min(1)
    .max(500)
    .refine(isRegExp, { error: "`match` must be a valid regular expression." }),
  status: z
    .union([z.literal("accept"), z.literal(FAULT_STATUSES)])
    .transform((s) => (s === "accept" ? 200 : s)),
  times: z.number().int().min(1).optional(),
  retryAfter: z.number().int().min(0).max(86_400).optional(),
  message: z.string().max(1000).optional(),
  name: z.string().min(1).max(100).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
});
export const faultRulesSchema = z.array(faultRuleSchema).max(1000);

export type FaultRuleInput = z.input<typeof faultRuleSchema>;

export interface FaultRule {
  id: string;
  /** Regular expression source, tested case-insensitively against each bare recipient address. */
  match: string;
  status: number;
  /** How many requests this rule may still decide; null means unlimited. */
  remaining: number | null;
  times: number | null;
  /** Requests this rule has decided so far. */
  hits: number;
  retryAfter: number | null;
  message: string | null;
  name: string | null;
  delayMs: number;
}

/** What the catcher does for one email: succeed (maybe slowly) or answer an error. */
export interface Decision {
  status: number;
  name: string | null;
  message: string | null;
  retryAfter: number | null;
  delayMs: number;
  /** Which rule or convention decided, for the request log: a rule id or e.g. `builtin:reject`. */
  source: string | null;
  recipient: string | null;
}

interface Candidate {
  decision: Decision;
  apply(): void;
}

const BOUNCE = /^bounce(500|502|503|504)x(\d{1,4})(?![0-9])/i;
const RATE_LIMIT = /^ratelimit(\d{1,5})s/i;
const SLOW = /^slow(\d{1,6})ms/i;

export class FaultBook {
  private rules: { rule: FaultRule; regex: RegExp }[] = [];
  // Served-fault counts per convention and exact address, so `bounce503x2+a@…` fails twice in
  // total, however many times it is retried and whoever retries it.
  private served = new Map<string, number>();

  list(): FaultRule[] {
    return this.rules.map(({ rule }) => ({ ...rule }));
  }

  /** Replaces every runtime rule. Throws a ZodError on invalid input. */
  set(inputs: unknown): FaultRule[] {
    const parsed = faultRulesSchema.parse(inputs);
    this.rules = parsed.map((input) => compile(input));
    return this.list();
  }

  /** Appends one rule (so concurrent tests don't overwrite each other's) and returns it. */
  add(input: unknown): FaultRule {
    const entry = compile(faultRuleSchema.parse(input));
    this.rules = [...this.rules.filter(({ rule }) => rule.id !== entry.rule.id), entry];
    return { ...entry.rule };
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter(({ rule }) => rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  resetCounters(): void {
    this.served.clear();
  }

  /**
   * The outcome for one email's recipients. A failing runtime rule beats a failing convention,
   * and a runtime rule answering 200 shields its recipient from the conventions. Nothing is
   * counted until `commit` runs, so only the fault actually served uses up a "times".
   */
  decide(recipients: readonly string[]): { decision: Decision; commit: () => void } {
    const candidates: Candidate[] = [];
    let ruleFailure: Candidate | undefined;
    let builtinFailure: Candidate | undefined;
    let delayMs = 0;
    for (const recipient of recipients) {
      const byRule = this.fromRules(recipient);
      const candidate = byRule ?? this.fromConventions(recipient);
      if (!candidate) continue;
      delayMs = Math.max(delayMs, candidate.decision.delayMs);
      if (candidate.decision.status === 200) candidates.push(candidate);
      else if (byRule) ruleFailure ??= candidate;
      else builtinFailure ??= candidate;
    }
    const failure = ruleFailure ?? builtinFailure;
    if (failure) return { decision: { ...failure.decision, delayMs }, commit: () => failure.apply() };
    const accepted = candidates.filter((c) => c.decision.source !== null);
    return {
      decision: { ...OK, delayMs, source: accepted[0]?.decision.source ?? null, recipient: accepted[0]?.decision.recipient ?? null },
      commit: () => {
        // One use per request per rule, even when several recipients match it.
        const seen = new Set<string>();
        for (const c of accepted) {
          if (c.decision.source && !seen.has(c.decision.source)) {
            seen.add(c.decision.source);
            c.apply();
          }
        }
      },
    };
  }

  private fromRules(recipient: string): Candidate | undefined {
    for (const entry of this.rules) {
      const { rule, regex } = entry;
      if (rule.remaining === 0) continue;
      regex.lastIndex = 0;
      if (!regex.test(recipient)) continue;
      const status = rule.status;
      return {
        decision: {
          status,
          name: status === 200 ? null : (rule.name ?? defaultErrorName(status)),
          message: status === 200 ? null : (rule.message ?? defaultRuleMessage(status, recipient)),
          retryAfter: rule.retryAfter ?? (status === 429 ? 1 : null),
          delayMs: rule.delayMs,
          source: `rule:${rule.id}`,
          recipient,
        },
        apply: () => {
          rule.hits += 1;
          if (rule.remaining !== null) rule.remaining = Math.max(0, rule.remaining - 1);
        },
      };
    }
    return undefined;
  }

  private fromConventions(recipient: string): Candidate | undefined {
    const local = localPart(recipient);
    if (/^reject/i.test(local)) {
      return {
        decision: {
          status: 422,
          name: "validation_error",
          message: `Invalid \`to\` field. The address ${recipient} was rejected (mail-catcher: local part starts with "reject").`,
          retryAfter: null,
          delayMs: 0,
          source: "builtin:reject",
          recipient,
        },
        apply: () => {},
      };
    }
    const bounce = BOUNCE.exec(local);
    if (bounce) {
      const status = Number(bounce[1]);
      const limit = Number(bounce[2]);
      const key = `bounce:${recipient}`;
      if ((this.served.get(key) ?? 0) >= limit) return undefined;
      return {
        decision: {
          status,
          name: defaultErrorName(status),
          message: defaultErrorMessage(status),
          retryAfter: null,
          delayMs: 0,
          source: `builtin:bounce${status}x${limit}`,
          recipient,
        },
        apply: () => this.served.set(key, (this.served.get(key) ?? 0) + 1),
      };
    }
    const rateLimit = RATE_LIMIT.exec(local);
    if (rateLimit) {
      const seconds = Number(rateLimit[1]);
      const key = `ratelimit:${recipient}`;
      if ((this.served.get(key) ?? 0) >= 1) return undefined;
      return {
        decision: {
          status: 429,
          name: "rate_limit_exceeded",
          message: defaultErrorMessage(429),
          retryAfter: seconds,
          delayMs: 0,
          source: `builtin:ratelimit${seconds}s`,
          recipient,
        },
        apply: () => this.served.set(key, 1),
      };
    }
    const slow = SLOW.exec(local);
    if (slow) {
      return {
        decision: { ...OK, delayMs: Number(slow[1]), source: "builtin:slow", recipient },
        apply: () => {},
      };
    }
    return undefined;
  }
}

const OK: Decision = { status: 200, name: null, message: null, retryAfter: null, delayMs: 0, source: null, recipient: null };

function compile(input: z.output<typeof faultRuleSchema>): { rule: FaultRule; regex: RegExp } {
  const rule: FaultRule = {
    id: input.id ?? randomUUID(),
    match: input.match,
    status: input.status,
    times: input.times ?? null,
    remaining: input.times ?? null,
    hits: 0,
    retryAfter: input.retryAfter ?? null,
    message: input.message ?? null,
    name: input.name ?? null,
    delayMs: input.delayMs ?? 0,
  };
  return { rule, regex: new RegExp(input.match, "i") };
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, "i");
    return true;
  } catch {
    return false;
  }
}

function defaultRuleMessage(status: number, recipient: string): string {
  if (status === 422) return `Invalid \`to\` field. The address ${recipient} was rejected (mail-catcher fault rule).`;
  return defaultErrorMessage(status);
}
