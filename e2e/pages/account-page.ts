import type { Page } from "@playwright/test";

export class AccountPage {
  constructor(readonly page: Page) {}

  get heading() {
    return this.page.getByRole("heading", { name: "Your account" });
  }
  get name() {
    return this.page.getByTestId("account-name");
  }
  get email() {
    return this.page.getByTestId("account-email");
  }
  get welcomeEmailStatus() {
    return this.page.getByTestId("welcome-email-status");
  }
  get avatarStatus() {
    return this.page.getByTestId("avatar-status");
  }
  get avatar() {
    return this.page.getByTestId("account-avatar");
  }
  get signOutEverywhere() {
    return this.page.getByRole("button", { name: "Sign out everywhere" });
  }
  get logOut() {
    return this.page.getByRole("button", { name: "Log out" });
  }

  async goto() {
    await this.page.goto("/account");
  }
}
