// One UTC/local switch for the whole dashboard, remembered in localStorage. Every printed time says
// its zone ("14:05 UTC", "14:05 CET"), so a screenshot pasted into an incident report is unambiguous.
import { useSyncExternalStore } from "react";

export type TTimeZone = "local" | "utc";
const KEY = "delegraph.timeZone";
const listeners = new Set<() => void>();

function read(): TTimeZone {
  if (typeof window === "undefined") return "local";
  try {
    return window.localStorage.getItem(KEY) === "utc" ? "utc" : "local";
  } catch {
    return "local";
  }
}

let current: TTimeZone | null = null;

export function getTimeZone(): TTimeZone {
  current ??= read();
  return current;
}

export function setTimeZone(zone: TTimeZone) {
  current = zone;
  try {
    window.localStorage.setItem(KEY, zone);
  } catch {
    // private mode: the choice lasts for this page only
  }
  for (const l of listeners) l();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key !== KEY) return;
    current = read();
    listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

/** The zone the reader chose; "local" while rendering on the server. */
export function useTimeZone(): TTimeZone {
  return useSyncExternalStore(subscribe, getTimeZone, () => "local");
}
