"use client";
import { useEffect } from "react";
import { useRouter } from "next/navigation";

/** Re-renders the page's server data every `ms` while `active` (e.g. a run is in progress). */
export function AutoRefresh({ active, ms = 2000 }: { active: boolean; ms?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), ms);
    return () => clearInterval(timer);
  }, [active, ms, router]);
  return null;
}
