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
  /** "Send again", offered once the welcome email has failed for good. */
  get sendWelcomeAgain() {
    return this.page.getByRole("form", { name: "Send the welcome email again" }).getByRole("button", { name: "Send again" });
  }
  get sendWelcomeAgainStatus() {
    return this.page.getByRole("form", { name: "Send the welcome email again" }).getByRole("status");
  }
  /** "Choose another image", offered once the avatar has failed for good: opens the file picker. */
  get chooseAnotherImage() {
    return this.page.getByRole("button", { name: "Choose another image" });
  }
  /** The avatar form's file field. */
  get avatarField() {
    return this.page.locator("#field-avatar");
  }
  get avatarFieldError() {
    return this.page.locator("#field-avatar-error");
  }
  get uploadImage() {
    return this.page.getByRole("button", { name: "Upload image" });
  }
  get avatarFormStatus() {
    return this.page.getByRole("form", { name: "Avatar" }).getByRole("status");
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
