"use client";
import { useMemo } from "react";
import type { TChainDetail } from "@/lib/contracts/chains";
import { chainFindingSentencer } from "../finding-sentence";
import { useTimeZone } from "../time-zone";

/** The chain's finding sentences in the reader's zone, rebuilt when the chain or the zone changes. */
export function useFindingSentencer(detail: TChainDetail, nameOf: (id: string) => string) {
  const zone = useTimeZone();
  return useMemo(() => chainFindingSentencer(detail.events, nameOf, new Date(), zone), [detail.events, nameOf, zone]);
}
