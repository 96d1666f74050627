// Exports can take a while (a PDF of a thousand hops, a CSV of every event). Fetching them
// ourselves lets the button show bytes received instead of a browser tab that seems frozen.
import type { TErrorBody } from "@/lib/contracts/errors";
import { ApiError, type TApiErrorCode } from "./fetcher";

export type TDownloadProgress = { received: number; total: number | null };

function filenameFrom(res: Response, fallback: string): string {
  const cd = res.headers.get("content-disposition") ?? "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain ? plain[1] : fallback;
}

export async function downloadWithProgress(
  url: string,
  fallbackName: string,
  onProgress: (p: TDownloadProgress) => void,
  signal?: AbortSignal,
): Promise<{ filename: string; bytes: number }> {
  const res = await fetch(url, { credentials: "same-origin", signal });
  if (!res.ok) {
    let message = `Export failed (${res.status})`;
    let code: TApiErrorCode = `http_${res.status}`;
    try {
      const body = (await res.json()) as Partial<TErrorBody>;
      if (body.error?.message) message = body.error.message;
      if (body.error?.code) code = body.error.code;
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, code, message);
  }
  const lengthHeader = res.headers.get("content-length");
  const total = lengthHeader && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let received = 0;
  onProgress({ received, total });
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      onProgress({ received, total });
    }
  } else {
    const buf = new Uint8Array(await res.arrayBuffer());
    chunks.push(buf);
    received = buf.byteLength;
    onProgress({ received, total });
  }
  const type = res.headers.get("content-type") ?? "application/octet-stream";
  const blob = new Blob(chunks, { type });
  const filename = filenameFrom(res, fallbackName);
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 30_000);
  return { filename, bytes: received };
}
