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
};

export default nextConfig;
