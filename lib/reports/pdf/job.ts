// What a PDF report is made from, as the routes gather it on the main thread and the render thread
// (lib/reports/pdf/pool.ts) receives it: plain data, copied to the thread by structured clone. No
// React and no @react-pdf here, so a route that imports this loads neither on the main thread.
import { z } from "zod";
import type { TChainDetail } from "@/lib/contracts/chains";
import { attachmentHeader } from "../csv";
import type { TChainReportData, TPeriodSummary } from "../queries";
import type { TLeastPrivilegeReportData } from "./least-privilege-report";
import type { TPaper } from "./theme";

export type { TPaper } from "./theme";

/** `?size=a4` (the default) or `?size=letter`; anything else is a 400. */
export const ZPaper = z
  .enum(["a4", "letter", "A4", "LETTER", "Letter"], { error: 'size must be "a4" or "letter"' })
  .optional()
  .transform((v): TPaper => (v?.toLowerCase() === "letter" ? "LETTER" : "A4"));

export function paperFrom(params: URLSearchParams): TPaper {
  return ZPaper.parse(params.get("size") || undefined);
}

/** "jane@bank.example (viewer)" or "API token “ci-export” (admin)": who a report was made for. */
export function describeActor(actor: { kind: "token" | "session"; name: string; role: string }): string {
  return actor.kind === "session" ? `${actor.name} (${actor.role})` : `API token “${actor.name}” (${actor.role})`;
}

export type TPdfOptions = { paper: TPaper; generatedBy: string };

export type TPdfJob =
  | { kind: "chain"; data: TChainReportData; options: TPdfOptions }
  | { kind: "observed"; detail: TChainDetail; options: TPdfOptions }
  | { kind: "summary"; summary: TPeriodSummary; options: TPdfOptions }
  | { kind: "least-privilege"; data: TLeastPrivilegeReportData; options: TPdfOptions };

/** A rendered report as the routes answer it: a PDF attachment named `<name>.pdf`, never cached. */
export function pdfResponse(pdf: Buffer, name: string): Response {
  return new Response(new Uint8Array(pdf), {
    headers: {
      "content-type": "application/pdf",
      "content-length": String(pdf.length),
      "content-disposition": attachmentHeader(name, "pdf"),
      "cache-control": "no-store",
    },
  });
}
