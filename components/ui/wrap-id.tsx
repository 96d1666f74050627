// A long id or hash that wraps at its separators ("." "/" ":") and has a copy button beside it.
import { Fragment } from "react";
import { idSegments } from "@/lib/ui/wrap-id";
import { CopyButton } from "./copy-button";

export function WrapId({
  value,
  copy = true,
  className = "",
  label = "Copy",
}: {
  value: string;
  copy?: boolean;
  className?: string;
  label?: string;
}) {
  // Hashes have no separators: a run longer than 24 characters may break anywhere.
  const breakAll = idSegments(value).some((s) => s.length > 24);
  return (
    <span className="inline-flex max-w-full flex-wrap items-baseline gap-x-1">
      <code className={`min-w-0 font-mono ${breakAll ? "break-all" : "break-words"} ${className}`} data-testid="wrap-id">
        {idSegments(value).map((s, i) => (
          <Fragment key={i}>
            {s}
            <wbr />
          </Fragment>
        ))}
      </code>
      {copy && <CopyButton value={value} label={label} />}
    </span>
  );
}
