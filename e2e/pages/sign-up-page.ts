import type { Page } from "@playwright/test";
import type { Person } from "../fixtures";

export class SignUpPage {
  constructor(readonly page: Page) {}

  get name() {
    return this.page.getByLabel("Name");
  }
  get email() {
    return this.page.getByLabel("Email");
  }
  get password() {
    return this.page.getByLabel("Password");
  }
  get avatar() {
    return this.page.getByLabel("Avatar (optional)");
  }
  get submit() {
    return this.page.getByRole("button", { name: "Create account" });
  }

  async goto() {
    await this.page.goto("/signup");
  }

  async signUp(person: Partial<Person>) {
    await this.name.fill(person.name ?? "");
    await this.email.fill(person.email ?? "");
    await this.password.fill(person.password ?? "");
    await this.submit.click();
  }

  /** The message tied to a field through aria-describedby. */
  async chooseAvatar(file: { name: string; mimeType: string; buffer: Buffer }) {
    await this.avatar.setInputFiles(file);
  }

  errorFor(field: "name" | "email" | "password" | "avatar") {
    return this.page.locator(`#field-${field}-error`);
  }
}
