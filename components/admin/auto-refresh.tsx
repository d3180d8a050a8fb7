"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Re-renders the server page every `ms` while something it shows is still in progress, for at
 * most `maxMs` (a job the executor lost must not keep a page polling forever).
 */
export function AutoRefresh({ active, ms = 1500, maxMs = 10 * 60_000 }: { active: boolean; ms?: number; maxMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const started = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - started > maxMs) return clearInterval(timer);
      router.refresh();
    }, ms);
    return () => clearInterval(timer);
  }, [active, ms, maxMs, router]);
  return null;
}
