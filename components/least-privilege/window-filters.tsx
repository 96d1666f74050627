"use client";
// The window and purpose of a least-privilege view, kept in the URL (`window`, `purpose`).
import { LP_WINDOWS, lpWindow } from "@/lib/ui/least-privilege";
import { SearchInput } from "../ui/search-input";

export function WindowFilters({
  windowId,
  purpose,
  onChange,
  idPrefix,
}: {
  windowId: string | null;
  purpose: string | null;
  onChange: (patch: { window?: string | null; purpose?: string | null }) => void;
  idPrefix: string;
}) {
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
      <div>
        <label htmlFor={`${idPrefix}-window`} className="label">
          Window
        </label>
        <select
          id={`${idPrefix}-window`}
          name="window"
          className="input"
          value={lpWindow(windowId).id}
          onChange={(e) => onChange({ window: e.target.value === "30d" ? null : e.target.value })}
        >
          {LP_WINDOWS.map((w) => (
            <option key={w.id} value={w.id}>
              {w.label}
            </option>
          ))}
        </select>
      </div>
      <SearchInput
        showLabel
        icon={false}
        mono
        id={`${idPrefix}-purpose`}
        label="Purpose (and the purposes under it)"
        value={purpose ?? ""}
        placeholder="finance.reporting"
        onCommit={(v) => onChange({ purpose: v || null })}
      />
    </div>
  );
}
