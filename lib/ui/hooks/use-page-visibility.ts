"use client";
import { useSyncExternalStore } from "react";

function subscribe(onChange: () => void) {
  document.addEventListener("visibilitychange", onChange);
  window.addEventListener("online", onChange);
  window.addEventListener("offline", onChange);
  return () => {
    document.removeEventListener("visibilitychange", onChange);
    window.removeEventListener("online", onChange);
    window.removeEventListener("offline", onChange);
  };
}

const hidden = () => document.visibilityState === "hidden";
const online = () => navigator.onLine;

/** Whether the tab is hidden and the browser online: what decides if polling runs at all. */
export function usePageVisibility(): { isHidden: boolean; isOnline: boolean } {
  const isHidden = useSyncExternalStore(subscribe, hidden, () => false);
  const isOnline = useSyncExternalStore(subscribe, online, () => true);
  return { isHidden, isOnline };
}
