import { expect, type Page } from "@playwright/test";
import { E2E } from "../config";
import { linkIn } from "../mail";

/** The local mail catcher's inbox, as a developer reads it. */
export class InboxPage {
  constructor(readonly page: Page) {}

  async goto(to?: string) {
    await this.page.goto(`http://127.0.0.1:${E2E.mailPort}/${to ? `?to=${encodeURIComponent(to)}` : ""}`);
  }

  messageLink(subject: string) {
    return this.page.getByRole("link", { name: subject });
  }

  /** The messages listed (newest first). */
  get messages() {
    return this.page.getByRole("list", { name: /^Messages/ }).getByRole("listitem");
  }

  /** The inbox for `to`, reloaded (as a person would) until a message with this subject is there. */
  async waitFor(to: string, subject: string) {
    await expect(async () => {
      await this.goto(to);
      await expect(this.messageLink(subject).first()).toBeVisible({ timeout: 500 });
    }).toPass({ timeout: 20_000 });
  }

  /** Opens the newest message with this subject. */
  async open(subject: string) {
    await this.messageLink(subject).first().click();
  }

  /** The open message's plain-text part, as shown under "Text part". */
  get textPart() {
    return this.page.locator("h2:has-text('Text part') + pre");
  }

  /** The first link to the app in the open message's text part, as a person would copy it. */
  async linkTo(path: string): Promise<string> {
    return linkIn((await this.textPart.textContent()) ?? "", path);
  }
}
