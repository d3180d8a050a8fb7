import type { Page } from "@playwright/test";

export class DeadLettersPage {
  constructor(readonly page: Page) {}

  async goto(query = "") {
    return this.page.goto(`/admin/dead-letters${query ? `?${query}` : ""}`);
  }

  async filterByError(text: string) {
    await this.page.getByLabel("Error contains").fill(text);
    await this.page.getByRole("button", { name: "Apply filters" }).click();
  }

  get rows() {
    return this.page.getByTestId("dead-letter-row");
  }

  row(text: string) {
    return this.rows.filter({ hasText: text });
  }
}

export class DeadLetterPage {
  constructor(readonly page: Page) {}

  get status() {
    return this.page.getByTestId("status").first();
  }
  get errorMessage() {
    return this.page.getByTestId("error-message");
  }
  get retry() {
    return this.page.getByRole("form", { name: "Retry" }).getByRole("button", { name: "Retry" });
  }
  get note() {
    return this.page.getByLabel("Resolution note");
  }
  get resolve() {
    return this.page.getByRole("form", { name: "Resolve" }).getByRole("button", { name: "Resolve" });
  }
  get resolveForm() {
    return this.page.getByRole("form", { name: "Resolve" });
  }
}
