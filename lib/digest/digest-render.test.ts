import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { digestRenderer } from "@/lib/digest/batches";
import { DigestEmail } from "@/lib/email/digest-template";
import { renderEmailHtml } from "@/lib/email/render";
import { env } from "@/lib/env";

describe("the digest rendered once per batch", () => {
  it("is the same markup as a render per member, names and links escaped as React escapes them", async () => {
    const render = await digestRenderer("2026-W49", 7);
    for (const name of ["Ada", `O'Brien & <Sons> "Ltd"`, "Zoë $& $1"]) {
      const link = `${env.APP_URL}/unsubscribe?token=a.b-c_d%3D&x='y'`;
      const direct = await renderEmailHtml(createElement(DigestEmail, { name, week: "2026-W49", newMembers: 7, appUrl: env.APP_URL, unsubscribeUrl: link }));
      expect(render(name, link)).toBe(direct);
    }
  });
});
