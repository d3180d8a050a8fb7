import Link from "next/link";
import { Fragment } from "react";

const LOG_IN = /\b(log in)\b/i;

/**
 * A message as text, with every "log in" in it a link to the log-in page: wherever the app tells
 * someone to log in, they can do it from there ("This link has already been used. Log in…").
 */
export function LogInLinks({ text }: { text: string }) {
  const parts = text.split(LOG_IN);
  if (parts.length === 1) return <>{text}</>;
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <Link key={i} href="/login" className="font-medium underline">
            {part}
          </Link>
        ) : (
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </>
  );
}
