// The engine's browser UI, on the e2e stack's engine (E2E.enginePort) driving the real app: a run
// appears live and its page shows the step waterfall; an event sent from the UI starts its run and
// can be replayed; an event nobody listens to says so; every page is axe-clean and fits 390 px.
import type { APIRequestContext } from "@playwright/test";
import { expectFitsWidth, expectNoAxeViolations } from "./a11y";
import { expect, test } from "./fixtures";
import { engineAuth, inngestKeys } from "./inngest-keys";
import { ENGINE_URL, EngineUiPage } from "./pages/engine-ui-page";

/** The outbox sweeper: cheap, idempotent, three steps, and startable by an event with empty data. */
const SWEEP = "signup-app-outbox.sweep";
const SWEEP_NAME = "Sweep the outbox";

async function sendToEngine(request: APIRequestContext, events: unknown[]): Promise<string[]> {
  // The engine is in signed mode: events need the stack's event key.
  const res = await request.post(`${ENGINE_URL}/e/${inngestKeys().eventKey}`, { data: events });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { ids: string[] }).ids;
}

async function runOf(request: APIRequestContext, eventId: string, status?: string): Promise<string> {
  let runId = "";
  await expect
    .poll(async () => {
      const body = (await (await request.get(`${ENGINE_URL}/v1/events/${eventId}/runs`, { headers: engineAuth() })).json()) as { data: { run_id: string; status: string }[] };
      const run = body.data.find((r) => !status || r.status === status);
      runId = run?.run_id ?? "";
      return runId;
    })
    .not.toBe("");
  return runId;
}

test("a run started by the app's event appears on the runs page without a reload, and its page shows the step waterfall", async ({ page, request }) => {
  const ui = new EngineUiPage(page);
  const live = page.waitForRequest((r) => r.url().endsWith("/ui/live"));
  await ui.goto(`/runs?function=${encodeURIComponent(SWEEP)}`);
  await expect(ui.heading).toHaveText("Runs");
  await live;
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

  const [eventId] = await sendToEngine(request, [{ name: "outbox/sweep.requested", data: {} }]);
  const runId = await runOf(request, eventId!);
  const item = ui.runItem(runId);
  await expect(item).toBeVisible();
  await expect(item.getByText("Completed", { exact: true })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

  await item.getByRole("link", { name: SWEEP_NAME }).click();
  await expect(ui.heading).toHaveText(`Run of ${SWEEP_NAME}`);
  await expect(ui.runStatus).toHaveText("Completed");
  for (const step of ["record-start", "relay-0", "record-finish"]) {
    const s = ui.step(step);
    await expect(s).toBeVisible();
    await expect(s.getByText("ok", { exact: true })).toBeVisible();
    await s.getByText("Output").click();
    await expect(s.locator("pre")).toBeVisible();
  }
  await expect(ui.step("Function").getByText("run completed")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Output" }).locator("xpath=following-sibling::pre[1]")).toContainText('"summary": "Re-sent');
});

test("an event sent from the UI starts its function's run, and replaying it starts another", async ({ page }) => {
  const ui = new EngineUiPage(page);
  await ui.goto(`/events/new?function=${encodeURIComponent(SWEEP)}`);
  await expect(ui.heading).toHaveText("Send an event");
  await expect(ui.eventEditor).toHaveValue(/"name": "outbox\/sweep\.requested"/);
  await ui.sendButton.click();

  await expect(page).toHaveURL(/\/events\/[0-9A-Z]{26}$/);
  const first = page.url();
  await expect(ui.heading).toHaveText("Event outbox/sweep.requested");
  await expect(ui.runsOfEvent.getByRole("link", { name: SWEEP_NAME })).toBeVisible();
  await expect(ui.runsOfEvent.getByText("Completed", { exact: true })).toBeVisible();

  await ui.replayButton.click();
  await expect(page).not.toHaveURL(first);
  await expect(page).toHaveURL(/\/events\/[0-9A-Z]{26}$/);
  await expect(ui.runsOfEvent.getByRole("link", { name: SWEEP_NAME })).toBeVisible();
  await expect(ui.runsOfEvent.getByText("Completed", { exact: true })).toBeVisible();

  // The new event's run is a run of its own, listed under Runs.
  await ui.nav("Runs").click();
  await expect(ui.heading).toHaveText("Runs");
  await expect(page.getByRole("link", { name: SWEEP_NAME }).first()).toBeVisible();
});

test("by keyboard: a bad JSON is pointed out on the field; an event no function listens to says so", async ({ page }) => {
  const ui = new EngineUiPage(page);
  await ui.goto("/events/new");
  // The skip link comes first and takes focus to the content.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  for (let i = 0; i < 12 && !(await ui.eventEditor.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(ui.eventEditor).toBeFocused();

  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type('{"name": "e2e/nobody-listens", "data": ');
  await page.keyboard.press("Tab");
  await expect(ui.sendButton).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(ui.eventEditor).toHaveAttribute("aria-invalid", "true");
  await expect(ui.eventEditor).toBeFocused();
  await expect(page.getByText(/^This is not valid JSON/)).toBeVisible();
  await expect(ui.eventEditor).toHaveAccessibleDescription(/This is not valid JSON/);

  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type('{"name": "e2e/nobody-listens", "data": {"n": 1}}');
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/events\/[0-9A-Z]{26}$/);
  await expect(ui.runsOfEvent).toContainText("No function listens to this event.");
});

test("every page of the UI is axe-clean and fits 390 px and 1440 px without sideways scrolling", async ({ page, request }) => {
  const [eventId] = await sendToEngine(request, [{ name: "outbox/sweep.requested", data: {} }]);
  const runId = await runOf(request, eventId!, "Completed");
  const ui = new EngineUiPage(page);
  const pages = [
    "/runs",
    `/runs?function=${encodeURIComponent(SWEEP)}&status=completed`,
    `/runs/${runId}`,
    "/events",
    `/events/${eventId}`,
    "/events/new",
    `/events/new?function=${encodeURIComponent(SWEEP)}`,
    "/functions",
    `/functions/${encodeURIComponent(SWEEP)}`,
    "/apps",
  ];
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    for (const path of pages) {
      await ui.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
      const what = `${path} at ${width} px`;
      await expectFitsWidth(page, what);
      await expectNoAxeViolations(page, what);
    }
  }
});
