import { z } from "zod";

/** The account page's weekly-digest switch. */
export const digestPreferenceSchema = z.object({ digest: z.enum(["on", "off"], "Choose on or off") });
