import type { Page } from "@playwright/test";

/** Admin → Users, and one user's page. */
export class UsersPage {
  constructor(readonly page: Page) {}

  goto(q?: string) {
    return this.page.goto(`/admin/users${q ? `?q=${encodeURIComponent(q)}` : ""}`);
  }
  async search(text: string) {
    await this.page.getByLabel("Email or name contains").fill(text);
    await this.page.getByRole("button", { name: "Search" }).click();
  }
  get rows() {
    return this.page.getByTestId("user-row");
  }
  work(key: "welcome-email" | "avatar" | "digest") {
    return this.page.getByTestId(`work-${key}`);
  }
  revokeFormFor(email: string) {
    return this.page.getByRole("form", { name: `Sign out ${email}` });
  }
}
