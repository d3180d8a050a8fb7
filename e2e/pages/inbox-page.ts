import type { Page } from "@playwright/test";
import { E2E } from "../config";

/** The local mail catcher's inbox, as a developer reads it. */
export class InboxPage {
  constructor(readonly page: Page) {}

  async goto(to?: string) {
    await this.page.goto(`http://127.0.0.1:${E2E.mailPort}/${to ? `?to=${encodeURIComponent(to)}` : ""}`);
  }

  messageLink(subject: string) {
    return this.page.getByRole("link", { name: subject });
  }
}
