import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // `forbidden()` renders app/forbidden.tsx with a real 403 status for non-admins.
  experimental: {
    authInterrupts: true,
    // One limit for every server action, so it is sign-up's: a 5 MB avatar plus the form (the
    // action answers a bigger avatar with a field error). Every other page's actions get a small
    // cap of their own in proxy.ts (lib/request-guards.ts), by path and Content-Length.
    serverActions: { bodySizeLimit: "6mb" },
  },
  poweredByHeader: false,
  // Under `npm run dev` the local engine asks /api/inngest for its functions every 2 s (a new
  // function file is picked up without a restart); those requests carry `engine-poll=1` and stay
  // out of the dev server's request log. The engine's own requests (steps) are still logged.
  logging: { incomingRequests: { ignore: [/[?&]engine-poll=1(&|$)/] } },
};

export default nextConfig;
