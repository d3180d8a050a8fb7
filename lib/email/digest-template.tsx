// The weekly digest as a React component (static HTML) plus its plain-text twin. Inline styles:
// email clients ignore stylesheets.
import { EmailButton, EmailLayout } from "@/lib/email/email-layout";

export type DigestProps = { name: string; week: string; newMembers: number; appUrl: string; unsubscribeUrl: string };

export const digestSubject = (week: string) => `Your weekly digest (${week})`;

const joined = (n: number) => (n === 1 ? "1 person joined" : `${n} people joined`);

export function DigestEmail({ name, week, newMembers, appUrl, unsubscribeUrl }: DigestProps) {
  return (
    <EmailLayout>
      <h1 style={{ fontSize: 22, margin: "0 0 12px" }}>Hi {name}, here is your week</h1>
      <p style={{ fontSize: 15, lineHeight: "22px" }}>
        Last week {joined(newMembers)} Signup Jobs.
      </p>
      <p style={{ margin: "24px 0" }}>
        <EmailButton href={`${appUrl}/account`}>Open your account</EmailButton>
      </p>
      <p style={{ fontSize: 12, color: "#64748b" }}>
        Weekly digest {week}. Don&apos;t want these?{" "}
        <a href={unsubscribeUrl} style={{ color: "#64748b" }}>
          Unsubscribe
        </a>{" "}
        or turn it off on your account page.
      </p>
    </EmailLayout>
  );
}

export function digestText({ name, week, newMembers, appUrl, unsubscribeUrl }: DigestProps): string {
  return [
    `Hi ${name}, here is your week`,
    "",
    `Last week ${joined(newMembers)} Signup Jobs.`,
    "",
    `Open your account: ${appUrl}/account`,
    "",
    `Weekly digest ${week}. Unsubscribe: ${unsubscribeUrl}`,
  ].join("\n");
}
