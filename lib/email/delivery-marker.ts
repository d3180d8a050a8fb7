import "server-only";
import { NonRetriableError } from "inngest";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";

/** What an email's completion marker says: this person got this email (`kind`), as this message. */
export type DeliveryMarker = { userId: string; kind: string; providerId: string };

const isPrismaError = (error: unknown, code: string) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === code;

/**
 * Records that an email went out: the EmailDelivery marker (unique per user and kind) and `alongside`
 * (e.g. the user's email status) in one transaction, so the marker exists iff the rest committed.
 * - Already recorded (unique violation): done; recording a delivery twice is a no-op.
 * - The person no longer exists: the marker's foreign key fails (P2003), or an update `alongside`
 *   finds no row (P2025). No retry can bring them back, so it stops here (NonRetriableError).
 * Anything else is thrown as it is and retried.
 */
export async function recordDelivery(marker: DeliveryMarker, ...alongside: Prisma.PrismaPromise<unknown>[]): Promise<void> {
  try {
    await db.$transaction([db.emailDelivery.create({ data: marker }), ...alongside]);
  } catch (error) {
    if (isPrismaError(error, "P2002")) return;
    if (isPrismaError(error, "P2003") || isPrismaError(error, "P2025")) {
      throw new NonRetriableError(`The recipient (user ${marker.userId}) was deleted before the "${marker.kind}" email could be recorded`);
    }
    throw error;
  }
}
