import type { Page } from "@playwright/test";

/** The verification link's page: one button. */
export class VerifyEmailPage {
  constructor(readonly page: Page) {}

  get confirm() {
    return this.page.getByRole("button", { name: "Confirm my email" });
  }
  get problem() {
    return this.page.getByTestId("link-problem");
  }
  get alert() {
    return this.page.getByRole("form", { name: "Confirm your email" }).getByRole("alert");
  }
}
