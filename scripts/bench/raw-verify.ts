// The physical reference for ingest: how many Ed25519 signatures this machine verifies per second
// with node:crypto, keys already imported, over pre-signed tokens: on one core (synchronous verify),
// and on every core the way the server verifies a batch (the callback form, on libuv's pool).
import { verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { splitSigned } from "./tokens";

export type TRawVerify = { perSec: number; verified: number; seconds: number };

/**
 * Verifies the tokens over and over for at least `minSeconds`. Slices of 200 with a turn of the
 * event loop between them (a few µs each, excluded from the time): a process that blocks its loop
 * for seconds loses tsx's esbuild service, and its next import of a .ts file never returns.
 */
export async function rawVerifyRate(signed: { token: string; key: KeyObject }[], minSeconds: number): Promise<TRawVerify> {
  const items = signed.map(({ token, key }) => ({ ...splitSigned(token), key }));
  for (const it of items.slice(0, 200)) verify(null, it.data, it.key, it.signature); // warm-up
  let verified = 0;
  let busyMs = 0;
  while (busyMs < minSeconds * 1000) {
    for (let i = 0; i < items.length; i += 200) {
      const t = performance.now();
      for (const it of items.slice(i, i + 200)) {
        if (!verify(null, it.data, it.key, it.signature)) throw new Error("a benchmark token did not verify");
      }
      busyMs += performance.now() - t;
      verified += Math.min(200, items.length - i);
      await new Promise((r) => setImmediate(r));
    }
  }
  return { perSec: Math.round(verified / (busyMs / 1000)), verified, seconds: busyMs / 1000 };
}

/**
 * The same tokens verified through node:crypto's callback form, 64 at a time, for `minSeconds` of
 * wall time: libuv's pool spreads them over every core, as the ingest does (checkEnvelopeAsync).
 */
export async function rawVerifyRateAllCores(signed: { token: string; key: KeyObject }[], minSeconds: number): Promise<TRawVerify> {
  const items = signed.map(({ token, key }) => ({ ...splitSigned(token), key }));
  let verified = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + minSeconds * 1000;
  await new Promise<void>((resolve, reject) => {
    let inFlight = 0;
    let failed = false;
    const launch = () => {
      while (!failed && inFlight < 64 && performance.now() < deadline) {
        const it = items[next++ % items.length];
        inFlight++;
        verify(null, it.data, it.key, it.signature, (error, ok) => {
          inFlight--;
          if (error || !ok) {
            failed = true;
            reject(error ?? new Error("a benchmark token did not verify"));
            return;
          }
          verified++;
          launch();
          if (inFlight === 0) resolve();
        });
      }
    };
    launch();
  });
  const seconds = (performance.now() - started) / 1000;
  return { perSec: Math.round(verified / seconds), verified, seconds };
}
