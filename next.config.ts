import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // `forbidden()` renders app/forbidden.tsx with a real 403 status for non-admins.
  experimental: { authInterrupts: true },
  poweredByHeader: false,
};

export default nextConfig;
