import type { Metadata } from "next";
import "./globals.css";
import { Providers } from "@/components/providers";

// Every page is rendered per request: the proxy's CSP allows scripts only with a per-request
// nonce, and a prerendered page would carry none (its scripts would be blocked).
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Delegraph", template: "%s · Delegraph" },
  description: "Accountable delegation between AI agents: every human-rooted chain, verified.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
