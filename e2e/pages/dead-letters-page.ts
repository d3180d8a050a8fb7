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

  tab(name: "Open" | "Retrying" | "Resolved" | "All") {
    return this.page.getByRole("navigation", { name: "Status" }).getByRole("link", { name: new RegExp(`^${name}\\b`) });
  }

  tabCount(name: "Open" | "Retrying" | "Resolved" | "All") {
    return this.tab(name).getByTestId("tab-count");
  }

  get selectionBar() {
    return this.page.getByTestId("selection-bar");
  }
  get selectPage() {
    return this.page.getByLabel("Select page");
  }
  get selectedCount() {
    return this.page.getByTestId("selected-count");
  }
  retrySelected() {
    return this.selectionBar.getByRole("button", { name: /^Retry (selected|all .* matching)…$/ });
  }
  resolveSelected() {
    return this.selectionBar.getByRole("button", { name: /^Resolve (selected|all .* matching)…$/ });
  }

  get groups() {
    return this.page.getByTestId("group-row");
  }
}

export class DeadLetterPage {
  constructor(readonly page: Page) {}

  get title() {
    return this.page.getByTestId("letter-title");
  }
  get status() {
    return this.page.getByTestId("status").first();
  }
  get errorMessage() {
    return this.page.getByTestId("error-message");
  }
  /** Retry, or for a permanent failure the "Retry…" that first asks. */
  get retry() {
    return this.page.getByRole("button", { name: /^Retry(…)?$/ });
  }
  get retryAnyway() {
    return this.page.getByRole("form", { name: "Retry" }).getByRole("button", { name: "Retry anyway" });
  }
  get permanentConfirm() {
    return this.page.getByTestId("permanent-confirm");
  }
  get retryFailed() {
    return this.page.getByTestId("retry-failed");
  }
  get waterfall() {
    return this.page.getByTestId("waterfall");
  }
  /** "Timeline unavailable (<reason>)" under a run the executor could not give. */
  get timelineUnavailable() {
    return this.page.getByTestId("timeline-unavailable");
  }
  /** The Attempts entry of the Details panel. */
  get attempts() {
    return this.page.getByTestId("attempts");
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
