// The sign-up emails that go to an address before its owner has proved it is theirs: the
// verification link (first, reminder, again) and the "someone tried to sign up with your address"
// notice. They carry nothing the person signing up typed — not even the name — so nobody can
// use sign-up to put their words in a stranger's inbox.
import { EmailButton, EmailLayout } from "@/lib/email/email-layout";

export type VerificationKind = "first" | "reminder" | "again";

type VerificationProps = { kind: VerificationKind; url: string; appUrl: string; validHours: number; deleteAfterDays: number };

export const verificationSubject = (kind: VerificationKind) =>
  kind === "reminder" ? "Reminder: confirm your email for Signup Jobs" : "Confirm your email for Signup Jobs";

const intro = (kind: VerificationKind) =>
  kind === "reminder"
    ? "You started signing up at Signup Jobs with this address but have not confirmed it yet."
    : "Someone — hopefully you — signed up at Signup Jobs with this address.";

export function VerificationEmail({ kind, url, appUrl, validHours, deleteAfterDays }: VerificationProps) {
  return (
    <EmailLayout>
      <h1 style={{ fontSize: 22, margin: "0 0 12px" }}>Confirm your email</h1>
      <p style={{ fontSize: 15, lineHeight: "22px" }}>{intro(kind)} Confirm it to finish signing up and log in.</p>
      <p style={{ margin: "24px 0" }}>
        <EmailButton href={url}>Confirm my email</EmailButton>
      </p>
      <p style={{ fontSize: 13, color: "#475569" }}>
        The link works once, for {validHours} hours. If it wasn&apos;t you, ignore this email: the account is deleted after {deleteAfterDays} days and we won&apos;t write again.
      </p>
      <p style={{ fontSize: 12, color: "#64748b", wordBreak: "break-all" }}>Or paste this into your browser: {url}</p>
      <p style={{ fontSize: 12, color: "#64748b" }}>Sent by {appUrl}.</p>
    </EmailLayout>
  );
}

export function verificationText({ kind, url, appUrl, validHours, deleteAfterDays }: VerificationProps): string {
  return [
    "Confirm your email",
    "",
    `${intro(kind)} Confirm it to finish signing up and log in:`,
    "",
    url,
    "",
    `The link works once, for ${validHours} hours. If it wasn't you, ignore this email: the account is deleted after ${deleteAfterDays} days and we won't write again.`,
    "",
    `Sent by ${appUrl}.`,
  ].join("\n");
}

type NoticeProps = { appUrl: string };

export const SIGN_UP_NOTICE_SUBJECT = "Someone tried to sign up with your address";

export function SignUpNoticeEmail({ appUrl }: NoticeProps) {
  return (
    <EmailLayout>
      <h1 style={{ fontSize: 22, margin: "0 0 12px" }}>Someone tried to sign up with your address</h1>
      <p style={{ fontSize: 15, lineHeight: "22px" }}>
        There is already a Signup Jobs account for this address, so nothing was created. If it was you, log in instead.
      </p>
      <p style={{ margin: "24px 0" }}>
        <EmailButton href={`${appUrl}/login`}>Log in</EmailButton>
      </p>
      <p style={{ fontSize: 13, color: "#475569" }}>If it wasn&apos;t you, you can ignore this email: your account and password are unchanged. We send this at most once a day.</p>
    </EmailLayout>
  );
}

export function signUpNoticeText({ appUrl }: NoticeProps): string {
  return [
    "Someone tried to sign up with your address",
    "",
    "There is already a Signup Jobs account for this address, so nothing was created. If it was you, log in instead:",
    `${appUrl}/login`,
    "",
    "If it wasn't you, you can ignore this email: your account and password are unchanged. We send this at most once a day.",
  ].join("\n");
}
