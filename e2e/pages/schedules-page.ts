import type { Page } from "@playwright/test";

/** Admin → Schedules: one card per cron job. */
export class SchedulesPage {
  constructor(readonly page: Page) {}

  get heading() {
    return this.page.getByRole("heading", { name: "Schedules", exact: true });
  }
  get forbidden() {
    return this.page.getByTestId("forbidden");
  }

  goto() {
    return this.page.goto("/admin/schedules");
  }

  /** A job's card, by its name as the page shows it. */
  job(name: string) {
    return this.page.getByRole("listitem").filter({ has: this.page.getByRole("heading", { name, exact: true }) });
  }

  timeZone(name: string) {
    return this.job(name).getByTestId("schedule-timezone");
  }
  nextRuns(name: string) {
    return this.job(name).getByTestId("schedule-next-runs").getByRole("listitem");
  }
  lastRun(name: string) {
    return this.job(name).getByTestId("schedule-last-run");
  }
  runNowForm(name: string) {
    return this.page.getByRole("form", { name: `Run ${name} now` });
  }
  async runNow(name: string) {
    await this.runNowForm(name).getByRole("button", { name: "Run now" }).click();
  }
}
