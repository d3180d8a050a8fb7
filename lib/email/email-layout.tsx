// The frame every email shares: a centred white card on a light page, inline styles only
// (email clients ignore stylesheets), and one button style.
import type { ReactNode } from "react";

export function EmailLayout({ children, width = 520 }: { children: ReactNode; width?: number }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "Arial, sans-serif", backgroundColor: "#f8fafc", padding: "24px", color: "#0f172a" }}>
        <table role="presentation" width="100%" style={{ maxWidth: width, margin: "0 auto", backgroundColor: "#ffffff", borderRadius: 12, padding: 24 }}>
          <tbody>
            <tr>
              <td>{children}</td>
            </tr>
          </tbody>
        </table>
      </body>
    </html>
  );
}

export function EmailButton({ href, children }: { href: string; children: ReactNode }) {
  return (
    <a href={href} style={{ backgroundColor: "#4f46e5", color: "#ffffff", padding: "10px 16px", borderRadius: 8, textDecoration: "none" }}>
      {children}
    </a>
  );
}
