import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/admin-nav";

// Navigation only: every admin page checks the session and role itself (layouts do not re-run
// on client-side navigation, so they are no place for an authorization check).
export default function AdminLayout({ children }: { children: ReactNode }) {
  return (
    <div data-wide>
      <AdminNav />
      {children}
    </div>
  );
}
