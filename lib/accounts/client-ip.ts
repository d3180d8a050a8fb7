import "server-only";
import { headers } from "next/headers";

/**
 * The client's address as the nearest proxy reports it. Behind a load balancer, make sure it sets
 * x-forwarded-for (and strips what clients send); `next start` alone sets it from the socket.
 */
export async function clientIp(): Promise<string> {
  const h = await headers();
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || h.get("x-real-ip") || "unknown";
}
