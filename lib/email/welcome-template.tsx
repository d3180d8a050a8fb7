// The welcome email as a React component (rendered to static HTML) plus its plain-text twin.
// Email clients ignore stylesheets, so styles are inline.
import { EmailButton, EmailLayout } from "@/lib/email/email-layout";

type Props = { name: string; appUrl: string };

export function WelcomeEmail({ name, appUrl }: Props) {
  return (
    <EmailLayout>
      <h1 style={{ fontSize: 22, margin: "0 0 12px" }}>Welcome, {name}!</h1>
      <p style={{ fontSize: 15, lineHeight: "22px" }}>
        Your account is ready. We set it up in the background while you got on with your day.
      </p>
      <p style={{ margin: "24px 0" }}>
        <EmailButton href={`${appUrl}/account`}>Open your account</EmailButton>
      </p>
      <p style={{ fontSize: 12, color: "#64748b" }}>You received this because you signed up at {appUrl}.</p>
    </EmailLayout>
  );
}

export function welcomeEmailText({ name, appUrl }: Props): string {
  return [`Welcome, ${name}!`, "", "Your account is ready.", "", `Open your account: ${appUrl}/account`, "", `You received this because you signed up at ${appUrl}.`].join("\n");
}

export const WELCOME_SUBJECT = "Welcome to Signup Jobs";
