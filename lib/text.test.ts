import { describe, expect, it } from "vitest";
import { z } from "zod";
import { plainText } from "@/lib/text";

const problems = (schema: z.ZodString, value: string) => schema.safeParse(value).error?.issues.map((i) => i.message) ?? [];

describe("plainText", () => {
  const name = plainText(z.string().trim().min(1), "Your name");
  const note = plainText(z.string(), "The note", { multiline: true });

  it("refuses NUL and other control characters, and says so for the field", () => {
    for (const bad of ["Ada\u0000", "Ada\u0007", "Ada\u007f", "Ada\nLovelace"]) expect(problems(name, bad)).toEqual(["Your name can't contain control characters."]);
  });

  it("refuses half of a character (an emoji cut in two), but not whole ones", () => {
    expect(problems(name, `Ada ${"😀".slice(0, 1)}`)).toEqual(["Your name contains half of a character (such as an emoji cut in two). Type it again."]);
    expect(problems(name, `Ada ${"😀".slice(1)}`)).toHaveLength(1);
    expect(problems(name, "Ada 😀 Zoë 李")).toEqual([]);
  });

  it("keeps line breaks and tabs where the field is multiline, and refuses the rest", () => {
    expect(problems(note, "Fixed the template.\r\n\tDeployed.")).toEqual([]);
    expect(problems(note, "Fixed\u0000")).toEqual(["The note can't contain control characters."]);
  });
});
