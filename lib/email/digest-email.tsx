// The weekly digest as a React component (static HTML) plus its plain-text twin. Inline styles:
// email clients ignore stylesheets.

export type DigestProps = { name: string; week: string; newMembers: number; appUrl: string; unsubscribeUrl: string };

export const digestSubject = (week: string) => `Your weekly digest (${week})`;

const joined = (n: number) => (n === 1 ? "1 person joined" : `${n} people joined`);

export function DigestEmail({ name, week, newMembers, appUrl, unsubscribeUrl }: DigestProps) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "Arial, sans-serif", backgroundColor: "#f8fafc", padding: "24px", color: "#0f172a" }}>
        <table role="presentation" width="100%" style={{ maxWidth: 520, margin: "0 auto", backgroundColor: "#ffffff", borderRadius: 12, padding: 24 }}>
          <tbody>
            <tr>
              <td>
                <h1 style={{ fontSize: 22, margin: "0 0 12px" }}>Hi {name}, here is your week</h1>
                <p style={{ fontSize: 15, lineHeight: "22px" }}>
                  Last week {joined(newMembers)} Signup Jobs.
                </p>
                <p style={{ margin: "24px 0" }}>
                  <a href={`${appUrl}/account`} style={{ backgroundColor: "#4f46e5", color: "#ffffff", padding: "10px 16px", borderRadius: 8, textDecoration: "none" }}>
                    Open your account
                  </a>
                </p>
                <p style={{ fontSize: 12, color: "#64748b" }}>
                  Weekly digest {week}. Don&apos;t want these?{" "}
                  <a href={unsubscribeUrl} style={{ color: "#64748b" }}>
                    Unsubscribe
                  </a>{" "}
                  or turn it off on your account page.
                </p>
              </td>
            </tr>
          </tbody>
        </table>
      </body>
    </html>
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
