// The daily "dead letters nobody looked at" email to admins: one row per function and error.
import { EmailButton, EmailLayout } from "@/lib/email/email-layout";

export type StaleGroup = { functionId: string; functionName: string; errorName: string; errorMessage: string; count: number; oldestFailedAt: string };
type Props = { name: string; date: string; total: number; groups: StaleGroup[]; dashboardUrl: string };

export const deadLetterAlertSubject = (total: number) =>
  `${total} dead letter${total === 1 ? "" : "s"} open for more than 24 hours`;

const cell = { padding: "6px 8px", borderBottom: "1px solid #e2e8f0", fontSize: 13, verticalAlign: "top" as const };

export function DeadLetterAlertEmail({ name, date, total, groups, dashboardUrl }: Props) {
  return (
    <EmailLayout width={640}>
      <h1 style={{ fontSize: 20, margin: "0 0 12px" }}>
        {total} dead letter{total === 1 ? " has" : "s have"} been open for more than 24 hours
      </h1>
      <p style={{ fontSize: 14 }}>Hi {name}, these background jobs failed for good and nobody has retried or resolved them yet ({date}, UTC).</p>
      <table width="100%" style={{ borderCollapse: "collapse", margin: "16px 0" }}>
        <thead>
          <tr>
            <th style={{ ...cell, textAlign: "left" }}>Function</th>
            <th style={{ ...cell, textAlign: "left" }}>Error</th>
            <th style={{ ...cell, textAlign: "right" }}>Open</th>
            <th style={{ ...cell, textAlign: "left" }}>Oldest failure</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={`${g.functionId}\n${g.errorName}\n${g.errorMessage}`}>
              <td style={cell}>{g.functionName}</td>
              <td style={cell}>
                <strong>{g.errorName}</strong>: {g.errorMessage}
              </td>
              <td style={{ ...cell, textAlign: "right" }}>{g.count}</td>
              <td style={cell}>{g.oldestFailedAt.replace("T", " ").slice(0, 16)} UTC</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <EmailButton href={dashboardUrl}>
          Open the dead letters
        </EmailButton>
      </p>
      <p style={{ fontSize: 12, color: "#64748b" }}>You get this at most once a day while stale dead letters exist, because you are an administrator.</p>
    </EmailLayout>
  );
}

export function deadLetterAlertText({ name, date, total, groups, dashboardUrl }: Props): string {
  return [
    `Hi ${name},`,
    "",
    `${total} dead letter${total === 1 ? " has" : "s have"} been open for more than 24 hours (${date}, UTC):`,
    "",
    ...groups.map((g) => `- ${g.functionName} — ${g.errorName}: ${g.errorMessage} (${g.count} open, oldest ${g.oldestFailedAt})`),
    "",
    `Open the dead letters: ${dashboardUrl}`,
  ].join("\n");
}
