import type { Page } from "@playwright/test";

/** Where every sign-up lands: "we're sending an email to <address>… sent ✓". */
export class CheckInboxPage {
  constructor(readonly page: Page) {}

  get heading() {
    return this.page.getByRole("heading", { name: "Check your inbox" });
  }
  /** The live line about the email; `data-state` is sending, retrying, sent or failed. */
  get emailProgress() {
    return this.page.getByTestId("pending-email");
  }
  get sendAgain() {
    return this.page.getByRole("button", { name: "Send the email again" });
  }
  get sendAgainStatus() {
    return this.page.getByRole("form", { name: "Send the email again" }).getByRole("status");
  }
}
