import type { Page } from "@playwright/test";

export class AdminPage {
  constructor(readonly page: Page) {}

  get heading() {
    return this.page.getByRole("heading", { name: "Admin dashboard" });
  }
  get forbidden() {
    return this.page.getByTestId("forbidden");
  }
  get executorHealth() {
    return this.page.getByTestId("executor-health");
  }
  get chart() {
    return this.page.getByTestId("failures-chart");
  }

  goto() {
    return this.page.goto("/admin");
  }
}
