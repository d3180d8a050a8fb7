import type { Page } from "@playwright/test";
import { E2E } from "../config";

/** The engine's own browser UI (engine/src/ui/), on the engine's port. */
export const ENGINE_URL = `http://127.0.0.1:${E2E.enginePort}`;

export class EngineUiPage {
  constructor(readonly page: Page) {}

  goto(path: string) {
    return this.page.goto(`${ENGINE_URL}${path}`);
  }

  get heading() {
    return this.page.getByRole("heading", { level: 1 });
  }
  nav(name: string) {
    return this.page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name, exact: true });
  }

  // Runs
  get runList() {
    return this.page.getByRole("region", { name: /runs?\b/i }).getByRole("listitem");
  }
  /** A run's entry in a list, by its id. */
  runItem(runId: string) {
    return this.page.getByRole("listitem").filter({ hasText: runId });
  }
  /** A step of the run page's waterfall, by its name. */
  step(name: string) {
    return this.page.getByRole("listitem").filter({ has: this.page.getByRole("heading", { level: 3, name, exact: true }) });
  }
  get runStatus() {
    return this.page.locator("dl.fields > div").filter({ has: this.page.locator("dt", { hasText: /^Status$/ }) }).locator("dd");
  }

  // Events
  get eventEditor() {
    return this.page.getByRole("textbox", { name: "Event (JSON)" });
  }
  get sendButton() {
    return this.page.getByRole("button", { name: "Send event" });
  }
  get replayButton() {
    return this.page.getByRole("button", { name: "Replay" });
  }
  get runsOfEvent() {
    return this.page.getByRole("region", { name: "Runs it started" });
  }
}
