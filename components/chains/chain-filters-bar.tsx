"use client";
// Every filter writes to the URL (debounced for text), so the address bar always reproduces the
// list on screen, and changing a filter always returns to the first page.
import { FINDING_CODES } from "@/lib/protocol/types";
import { CHAIN_STATUSES, hasChainFilters, isoToLocalInput, localInputToIso, type TChainFilters } from "@/lib/ui/chain-filters";
import { findingName, sortCodes } from "@/lib/ui/findings";
import type { TParamPatch } from "@/lib/ui/use-url-state";
import { SearchInput } from "../ui/search-input";
import { STATUS_STYLE } from "../ui/severity";
import { CHAIN_SOURCES, SOURCE_LABEL } from "@/lib/ui/sources";
import { CHAIN_REVIEW_STATUSES } from "@/lib/contracts/review";
import { CHAIN_REVIEW_INFO } from "@/lib/ui/review";

const RESET_PAGE = { cursor: null, prev: null } as const;

const PRESETS = [
  { label: "1 h", seconds: 3600 },
  { label: "24 h", seconds: 86_400 },
  { label: "7 d", seconds: 7 * 86_400 },
  { label: "30 d", seconds: 30 * 86_400 },
];

export function ChainFiltersBar({ filters, onChange }: { filters: TChainFilters; onChange: (patch: TParamPatch) => void }) {
  const set = (patch: TParamPatch) => onChange({ ...patch, ...RESET_PAGE });
  return (
    <section aria-label="Filters" className="mb-4 rounded-lg border border-slate-200 bg-white p-3">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-8">
        <div className="col-span-2">
          <SearchInput
            showLabel
            id="q"
            label="Search"
            value={filters.q ?? ""}
            onCommit={(v) => set({ q: v })}
            placeholder="id, principal, purpose, scope, resource"
          />
        </div>
        <div>
          <label htmlFor="status" className="label">
            Status
          </label>
          <select id="status" name="status" className="input" value={filters.status ?? ""} onChange={(e) => set({ status: e.target.value })}>
            <option value="">Any status</option>
            {CHAIN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_STYLE[s].word}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="finding" className="label">
            Finding
          </label>
          <select id="finding" name="finding" className="input" value={filters.finding ?? ""} onChange={(e) => set({ finding: e.target.value })}>
            <option value="">Any finding</option>
            {sortCodes(FINDING_CODES).map((c) => (
              <option key={c} value={c}>
                {findingName(c)} ({c})
              </option>
            ))}
          </select>
        </div>
        <SearchInput
          showLabel
          icon={false}
          id="principal"
          label="Principal"
          value={filters.principal ?? ""}
          onCommit={(v) => set({ principal: v })}
          placeholder="agent:planner"
          mono
        />
        <SearchInput
          showLabel
          icon={false}
          id="scope"
          label="Scope"
          value={filters.scope ?? ""}
          onCommit={(v) => set({ scope: v })}
          placeholder="treasury/*:read"
          mono
        />
        <div className="col-span-2">
          <SearchInput
            showLabel
            icon={false}
            id="purpose"
            label="Purpose"
            value={filters.purpose ?? ""}
            onCommit={(v) => set({ purpose: v })}
            placeholder="finance.reporting"
            mono
          />
        </div>
      </div>
      <div className="mt-3 flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="since" className="label">
            Started from
          </label>
          <input
            id="since"
            name="since"
            type="datetime-local"
            className="input"
            value={isoToLocalInput(filters.since)}
            onChange={(e) => set({ since: localInputToIso(e.target.value) ?? null })}
          />
        </div>
        <div>
          <label htmlFor="until" className="label">
            Started until
          </label>
          <input
            id="until"
            name="until"
            type="datetime-local"
            className="input"
            value={isoToLocalInput(filters.until)}
            onChange={(e) => set({ until: localInputToIso(e.target.value) ?? null })}
          />
        </div>
        <div>
          <label htmlFor="source" className="label">
            Source
          </label>
          <select id="source" name="source" className="input" value={filters.source ?? ""} onChange={(e) => set({ source: e.target.value })}>
            <option value="">Any source</option>
            {CHAIN_SOURCES.map((s) => (
              <option key={s} value={s}>
                {SOURCE_LABEL[s].word}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="review" className="label">
            Review
          </label>
          <select id="review" name="review" className="input" value={filters.review ?? ""} onChange={(e) => set({ review: e.target.value })}>
            <option value="">Any review</option>
            {CHAIN_REVIEW_STATUSES.map((s) => (
              <option key={s} value={s}>
                {CHAIN_REVIEW_INFO[s].word}
              </option>
            ))}
          </select>
        </div>
        <div className="flex items-center gap-1" role="group" aria-label="Quick time ranges">
          <span className="mr-1 text-xs text-slate-500">Last</span>
          {PRESETS.map((p) => (
            <button
              key={p.label}
              type="button"
              className="btn-secondary px-2 text-xs"
              onClick={() => set({ since: new Date(Date.now() - p.seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"), until: null })}
            >
              {p.label}
            </button>
          ))}
        </div>
        {hasChainFilters(filters) && (
          <button
            type="button"
            className="btn-ghost ml-auto text-sm"
            onClick={() =>
              set({
                q: null,
                status: null,
                finding: null,
                principal: null,
                scope: null,
                purpose: null,
                since: null,
                until: null,
                source: null,
                review: null,
              })
            }
          >
            Clear all filters
          </button>
        )}
      </div>
    </section>
  );
}
