import { Inngest } from "inngest";
import { logger } from "@/lib/logger";

/**
 * The app's one Inngest client. Which executor drives it is configuration only: INNGEST_DEV points
 * it at the local engine (or `inngest dev`); in production INNGEST_EVENT_KEY and
 * INNGEST_SIGNING_KEY point it at Inngest Cloud (or INNGEST_BASE_URL at a self-hosted server).
 */
export const inngest = new Inngest({ id: "signup-app", logger });
