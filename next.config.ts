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
};

export default nextConfig;
