// The small pages /unsubscribe answers with: static HTML with inline styles, because a route
// handler (not a page) is what can answer 400 for a bad link.
import type { ReactNode } from "react";

function Shell({ title, children }: { title: string; children: ReactNode }) {
  return (
    <html lang="en">
      {/* eslint-disable-next-line @next/next/no-head-element -- a whole document rendered to a string by a route handler, not a Next page */}
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · Signup Jobs`}</title>
        {/* The app's icon (app/icon.svg), as every Next page names it; the page's CSP allows images from here only. */}
        <link rel="icon" href="/icon.svg" type="image/svg+xml" />
      </head>
      <body style={{ fontFamily: "system-ui, Arial, sans-serif", backgroundColor: "#f8fafc", color: "#0f172a", margin: 0, padding: "48px 16px" }}>
        <main style={{ maxWidth: 460, margin: "0 auto", backgroundColor: "#ffffff", borderRadius: 16, padding: 24, boxShadow: "0 1px 2px rgba(0,0,0,.06)", border: "1px solid #e2e8f0" }}>
          <h1 style={{ fontSize: 22, margin: "0 0 12px" }}>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

const button = { backgroundColor: "#4f46e5", color: "#ffffff", padding: "10px 16px", borderRadius: 8, border: 0, fontSize: 15, fontWeight: 600, cursor: "pointer" };

/** GET with a valid token: nothing changes until the person presses the button (mail scanners prefetch links). */
export function ConfirmUnsubscribe({ token, email }: { token: string; email: string }) {
  return (
    <Shell title="Stop the weekly digest?">
      <p>
        We&apos;ll stop sending the weekly digest to <strong>{email}</strong>. Other emails about your account are not affected.
      </p>
      <form method="post" action="/unsubscribe">
        <input type="hidden" name="token" value={token} />
        <button type="submit" style={button}>
          Unsubscribe
        </button>
      </form>
    </Shell>
  );
}

export function Unsubscribed({ appUrl }: { appUrl: string }) {
  return (
    <Shell title="You're unsubscribed">
      <p>You won&apos;t get the weekly digest any more.</p>
      <p style={{ fontSize: 14, color: "#475569" }}>
        Changed your mind? Turn it back on from <a href={`${appUrl}/account`}>your account page</a>.
      </p>
    </Shell>
  );
}

export function BadUnsubscribeLink({ appUrl, reason }: { appUrl: string; reason: "expired" | "invalid" }) {
  return (
    <Shell title="This unsubscribe link doesn't work">
      <p>{reason === "expired" ? "The link has expired." : "The link is incomplete or was changed."}</p>
      <p style={{ fontSize: 14, color: "#475569" }}>
        You can turn the weekly digest off from <a href={`${appUrl}/account`}>your account page</a> after logging in.
      </p>
    </Shell>
  );
}
