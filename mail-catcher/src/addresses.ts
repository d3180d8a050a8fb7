// Resend takes `email@example.com` or `Name <email@example.com>` anywhere an address goes.
// Fault conventions and the `?to=` filters compare the bare address, lower-cased.

// Deliberately loose (no quoted local parts, no IP literals): it only has to accept what real
// senders use and reject what Resend would, like a missing `@` or a domain without a dot.
const BARE = /^[^\s@<>()[\]",;:]+@[^\s@<>()[\]",;:]+\.[^\s@<>()[\]",;:.][^\s@<>()[\]",;:]*$/;
const NAMED = /^\s*(?:"[^"]*"|[^<>"]*?)\s*<([^<>\s]+)>\s*$/;

/** The bare address inside `value`, or null when it is not an address Resend would accept. */
export function bareAddress(value: string): string | null {
  const trimmed = value.trim();
  if (BARE.test(trimmed)) return trimmed.toLowerCase();
  const named = NAMED.exec(trimmed);
  const inner = named?.[1];
  if (inner && BARE.test(inner)) return inner.toLowerCase();
  return null;
}

export function isAddress(value: string): boolean {
  return bareAddress(value) !== null;
}

/** Bare form for comparisons; falls back to the trimmed, lower-cased input. */
export function normalizeAddress(value: string): string {
  return bareAddress(value) ?? value.trim().toLowerCase();
}

export function localPart(address: string): string {
  const at = address.lastIndexOf("@");
  return at === -1 ? address : address.slice(0, at);
}
