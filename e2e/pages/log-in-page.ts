import type { Page } from "@playwright/test";

export class LogInPage {
  constructor(readonly page: Page) {}

  get email() {
    return this.page.getByLabel("Email");
  }
  get password() {
    return this.page.getByLabel("Password");
  }
  get submit() {
    return this.page.getByRole("button", { name: "Log in" });
  }
  get alert() {
    return this.page.locator("form").getByRole("alert");
  }

  async goto(next?: string) {
    await this.page.goto(next ? `/login?next=${encodeURIComponent(next)}` : "/login");
  }

  async logIn(email: string, password: string) {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.submit.click();
  }
}
