import type { Page } from "@playwright/test";

export class AdminPage {
  constructor(readonly page: Page) {}

  get heading() {
    return this.page.getByRole("heading", { name: "Admin dashboard" });
  }
  get forbidden() {
    return this.page.getByTestId("forbidden");
  }

  goto() {
    return this.page.goto("/admin");
  }

  revokeFormFor(email: string) {
    return this.page.getByRole("form", { name: `Sign out ${email}` });
  }
}
