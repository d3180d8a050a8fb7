// What an admin types into the dead-letter pages reaches PostgreSQL: a NUL in the search was a 500
// ("invalid byte sequence for encoding UTF8: 0x00"), and would be in a note.
import { describe, expect, it } from "vitest";
import { parseFilter } from "@/lib/dead-letters/filters";
import { bulkActionSchema, reopenDeadLetterSchema, resolveDeadLetterSchema } from "@/lib/dead-letters/schemas";

const id = "7b0c2a52-4d5e-4f3a-9c1b-2e8d6f4a1b3c";

describe("admin text on the dead-letter pages", () => {
  it("drops a search holding a control character and says it was ignored, as with any bad filter", () => {
    expect(parseFilter({ q: "timeout\u0000" })).toMatchObject({ ignored: ["q"] });
    expect(parseFilter({ q: "timeout" }).filter.q).toBe("timeout");
  });

  it("refuses a note holding a control character or half a character, keeps line breaks", () => {
    const message = (r: { error?: { issues: { message: string }[] } }) => r.error?.issues.map((i) => i.message);
    expect(message(resolveDeadLetterSchema.safeParse({ id, note: "fixed\u0000" }))).toEqual(["The note can't contain control characters."]);
    expect(message(reopenDeadLetterSchema.safeParse({ id, note: `again ${"😀".slice(0, 1)}` }))).toEqual([
      "The note contains half of a character (such as an emoji cut in two). Type it again.",
    ]);
    expect(message(bulkActionSchema.safeParse({ kind: "resolve", note: "bad\u0007" }))).toEqual(["The note can't contain control characters."]);
    expect(resolveDeadLetterSchema.safeParse({ id, note: "Fixed the template.\nDeployed." }).success).toBe(true);
  });
});
