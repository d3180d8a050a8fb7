import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // `forbidden()` renders app/forbidden.tsx with a real 403 status for non-admins.
  experimental: {
    authInterrupts: true,
    // Sign-up carries an avatar of up to 5 MB; the action itself answers anything over that
    // with a field error, so let such bodies reach it rather than fail inside Next.
    serverActions: { bodySizeLimit: "12mb" },
  },
  poweredByHeader: false,
  // Under `npm run dev` the local engine asks /api/inngest for its functions every 2 s (a new
  // function file is picked up without a restart); those requests carry `engine-poll=1` and stay
  // out of the dev server's request log. The engine's own requests (steps) are still logged.
  logging: { incomingRequests: { ignore: [/[?&]engine-poll=1(&|$)/] } },
};

export default nextConfig;
