// How many calls the "provider" got and how it answered them, so a bench can report "provider calls
// made" and "429s received" without parsing the request log. In memory, per process; cleared with
// the request log (`DELETE /_catcher/requests`) and by a full reset.

export const PROVIDER_ENDPOINTS = ["POST /emails", "POST /emails/batch", "GET /emails/:id"] as const;
export type ProviderEndpoint = (typeof PROVIDER_ENDPOINTS)[number];

export interface EndpointCounters {
  /** Requests received on the endpoint, whatever the answer (401, 422, 429, 5xx included). */
  calls: number;
  /** Answers with status 429: the rate limit's and injected ones (`ratelimit…` addresses, rules). */
  status429: number;
  /** The part of `status429` that came from the rate limit (`--rate-limit`). */
  rateLimited: number;
  /** Emails newly stored (a batch counts each email; an idempotent replay counts none). */
  emailsAccepted: number;
}

export interface ProviderCounters extends EndpointCounters {
  /** When counting started: the catcher's start or the last clear. */
  since: string;
  byEndpoint: Record<ProviderEndpoint, EndpointCounters>;
}

const zero = (): EndpointCounters => ({ calls: 0, status429: 0, rateLimited: 0, emailsAccepted: 0 });

export class CallCounters {
  private total = zero();
  private byEndpoint = this.emptyByEndpoint();
  private since: number;

  constructor(private readonly now: () => number) {
    this.since = now();
  }

  record(endpoint: ProviderEndpoint, outcome: { status: number; rateLimited: boolean; emailsAccepted: number }): void {
    for (const c of [this.total, this.byEndpoint[endpoint]]) {
      c.calls += 1;
      if (outcome.status === 429) c.status429 += 1;
      if (outcome.rateLimited) c.rateLimited += 1;
      c.emailsAccepted += outcome.emailsAccepted;
    }
  }

  snapshot(): ProviderCounters {
    return {
      since: new Date(this.since).toISOString(),
      ...this.total,
      byEndpoint: Object.fromEntries(PROVIDER_ENDPOINTS.map((e) => [e, { ...this.byEndpoint[e] }])) as Record<
        ProviderEndpoint,
        EndpointCounters
      >,
    };
  }

  clear(): void {
    this.total = zero();
    this.byEndpoint = this.emptyByEndpoint();
    this.since = this.now();
  }

  private emptyByEndpoint(): Record<ProviderEndpoint, EndpointCounters> {
    return Object.fromEntries(PROVIDER_ENDPOINTS.map((e) => [e, zero()])) as Record<ProviderEndpoint, EndpointCounters>;
  }
}
