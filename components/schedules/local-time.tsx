"use client";
import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * A UTC instant in the viewer's own time zone, formatted by their browser. The server renders
 * nothing (it does not know the zone), so hydration never disagrees.
 */
export function LocalTime({ iso }: { iso: string }) {
  const text = useSyncExternalStore(
    subscribe,
    () => new Intl.DateTimeFormat(undefined, { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(new Date(iso)),
    () => null,
  );
  return <span data-testid="local-time">{text ?? "…"}</span>;
}
