import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/index";

// The executor calls in here: the local engine in development, Inngest Cloud or a self-hosted
// Inngest in production. Outside dev mode the SDK rejects unsigned requests (INNGEST_SIGNING_KEY).
export const { GET, POST, PUT } = serve({ client: inngest, functions });

// A step may resize an image or wait on the mail provider.
export const maxDuration = 60;
