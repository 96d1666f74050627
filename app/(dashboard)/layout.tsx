import { Suspense } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { requirePageSession } from "@/lib/auth/page-session";

// The proxy only checks that a session cookie exists; this validates it (expired, revoked or
// forged cookies go to /sign-in) and hands the user to the client so the top bar needs no fetch.
export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const session = await requirePageSession();
  const me = { user: { id: session.id, email: session.email, role: session.role }, csrfToken: session.csrfToken };
  return (
    <Suspense fallback={null}>
      <AppShell me={me}>{children}</AppShell>
    </Suspense>
  );
}
