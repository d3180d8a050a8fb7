// The welcome email as a React component (rendered to static HTML) plus its plain-text twin.
// Email clients ignore stylesheets, so styles are inline.

type Props = { name: string; appUrl: string };

export function WelcomeEmail({ name, appUrl }: Props) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "Arial, sans-serif", backgroundColor: "#f8fafc", padding: "24px", color: "#0f172a" }}>
        <table role="presentation" width="100%" style={{ maxWidth: 520, margin: "0 auto", backgroundColor: "#ffffff", borderRadius: 12, padding: 24 }}>
          <tbody>
            <tr>
              <td>
                <h1 style={{ fontSize: 22, margin: "0 0 12px" }}>Welcome, {name}!</h1>
                <p style={{ fontSize: 15, lineHeight: "22px" }}>
                  Your account is ready. We set it up in the background while you got on with your day.
                </p>
                <p style={{ margin: "24px 0" }}>
                  <a href={`${appUrl}/account`} style={{ backgroundColor: "#4f46e5", color: "#ffffff", padding: "10px 16px", borderRadius: 8, textDecoration: "none" }}>
                    Open your account
                  </a>
                </p>
                <p style={{ fontSize: 12, color: "#64748b" }}>You received this because you signed up at {appUrl}.</p>
              </td>
            </tr>
          </tbody>
        </table>
      </body>
    </html>
  );
}

export function welcomeEmailText({ name, appUrl }: Props): string {
  return [`Welcome, ${name}!`, "", "Your account is ready.", "", `Open your account: ${appUrl}/account`, "", `You received this because you signed up at ${appUrl}.`].join("\n");
}

export const WELCOME_SUBJECT = "Welcome to Signup Jobs";
