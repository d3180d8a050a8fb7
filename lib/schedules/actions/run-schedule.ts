"use server";
import { revalidatePath } from "next/cache";
import { inngest } from "@/inngest/client";
import { audit } from "@/lib/audit/audit-log";
import { AppError } from "@/lib/errors";
import { formAction } from "@/lib/safe-action";
import { scheduleById } from "@/lib/schedules/definitions";
import { runScheduleSchema } from "@/lib/schedules/schemas";

/** Admin "Run now": sends the job's manual trigger event; the function runs as it would on its cron. */
export const runScheduleNowAction = formAction({
  access: "ADMIN",
  schema: runScheduleSchema,
  async run({ scheduleId }, { user: admin }) {
    const schedule = scheduleById(scheduleId);
    let eventId: string | undefined;
    try {
      const { ids } = await inngest.send({ name: schedule.runEvent, data: { requestedBy: admin.email } });
      eventId = ids[0];
    } catch {
      throw new AppError("conflict", "The job runner is not reachable right now. Try again in a moment.");
    }
    await audit({ actor: admin, action: "schedule.run_requested", targetType: "schedule", targetId: schedule.id, details: { event: schedule.runEvent, eventId: eventId ?? null } });
    revalidatePath("/admin/schedules");
    return { ok: true, message: `Started “${schedule.name}”.` };
  },
});
