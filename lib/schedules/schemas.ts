import { z } from "zod";
import { SCHEDULE_IDS } from "@/lib/schedules/definitions";

/** An admin's "Run now" on the Schedules page. */
export const runScheduleSchema = z.object({ scheduleId: z.enum(SCHEDULE_IDS, "Unknown scheduled job") });
