"use client";
// The API reference: the OpenAPI document the server serves (GET /api/v1/openapi.json), browsable.
// Operations grouped by tag, each with who may call it, its parameters, body and answers; schemas
// shared by reference link to their entry at the bottom. A filter narrows by path or summary.
import { Fragment, useMemo, useState } from "react";
import { useOpenApi, type TJsonSchema, type TOpenApiDocument, type TOpenApiOperation } from "@/lib/ui/hooks/use-openapi";
import { IconChevronRight, IconDownload } from "../ui/icons";
import { PageHeader } from "../ui/page-header";
import { SearchInput } from "../ui/search-input";
import { EmptyState, ErrorState, LoadingBlock } from "../ui/states";

const METHOD_STYLE: Record<string, string> = {
  get: "bg-sky-50 text-sky-800 ring-sky-200",
  post: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  patch: "bg-amber-50 text-amber-800 ring-amber-200",
};

const refName = (ref: string) => ref.split("/").at(-1) ?? ref;
const anchor = (name: string) => `schema-${name}`;

/** One line for a schema: its type, with enums, formats and bounds. */
function typeLabel(s: TJsonSchema): string {
  if (s.$ref) return refName(s.$ref);
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  const union = s.anyOf ?? s.oneOf;
  if (union) return union.map(typeLabel).join(" | ");
  if (s.type === "array" && s.items) return `${typeLabel(s.items)}[]`;
  const type = Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "any");
  const extras = [s.format, s.pattern && `pattern ${s.pattern}`, s.maxLength !== undefined && `≤ ${s.maxLength} chars`].filter(Boolean).join(", ");
  return extras ? `${type} (${extras})` : type;
}

function SchemaView({ schema, depth = 0 }: { schema: TJsonSchema; depth?: number }) {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return (
      <a href={`#${anchor(name)}`} className="font-mono text-xs text-sky-700 underline decoration-sky-300 underline-offset-2 hover:text-sky-900">
        {name}
      </a>
    );
  }
  const object = schema.type === "array" && schema.items?.properties ? schema.items : schema;
  if (!object.properties || depth > 4) return <code className="font-mono text-xs break-all text-slate-700">{typeLabel(schema)}</code>;
  const required = new Set(object.required ?? []);
  return (
    <div>
      {object !== schema && <p className="mb-1 font-mono text-xs text-slate-500">array of</p>}
      <dl className="space-y-1 border-l border-slate-200 pl-3">
        {Object.entries(object.properties).map(([name, prop]) => (
          <div key={name} className="text-xs">
            <dt className="inline font-mono font-medium text-slate-900">
              {name}
              {!required.has(name) && <span className="text-slate-500">?</span>}
            </dt>
            <dd className="ml-2 inline">
              {prop.properties || (prop.type === "array" && prop.items?.properties) ? (
                <div className="mt-1">
                  <SchemaView schema={prop} depth={depth + 1} />
                </div>
              ) : prop.$ref || (prop.type === "array" && prop.items?.$ref) ? (
                <>
                  <SchemaView schema={prop.items?.$ref ? prop.items : prop} depth={depth + 1} />
                  {prop.items?.$ref && <span className="font-mono text-xs text-slate-500">[]</span>}
                </>
              ) : (
                <code className="font-mono break-all text-slate-600">{typeLabel(prop)}</code>
              )}
              {prop.description && <span className="ml-2 text-slate-500">{prop.description}</span>}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function Operation({ method, path, op }: { method: string; path: string; op: TOpenApiOperation }) {
  const [isOpen, setOpen] = useState(false);
  const detailId = `op-${op.operationId}`;
  const roles = op["x-delegraph-roles"];
  return (
    <li className="border-b border-slate-100 last:border-b-0" data-operation={op.operationId}>
      <button
        type="button"
        aria-expanded={isOpen}
        aria-controls={detailId}
        onClick={() => setOpen(!isOpen)}
        className="flex w-full items-start gap-2 px-3 py-2.5 text-left hover:bg-slate-50 sm:gap-3 sm:px-4"
      >
        <span className="min-w-0 flex-1">
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <span
              className={`w-14 shrink-0 rounded px-1.5 py-0.5 text-center font-mono text-[11px] font-semibold uppercase ring-1 ${METHOD_STYLE[method] ?? ""}`}
            >
              {method}
            </span>
            <code className="min-w-0 font-mono text-sm break-all text-slate-900">{path}</code>
          </span>
          <span className="mt-0.5 block text-sm text-slate-600 sm:pl-17">{op.summary}</span>
        </span>
        <span className="hidden shrink-0 text-xs text-slate-500 sm:block">{roles ? roles.join(", ") : "anyone"}</span>
        <IconChevronRight size={14} className={`mt-1 shrink-0 text-slate-500 transition-transform ${isOpen ? "rotate-90" : ""}`} />
      </button>
      {isOpen && (
        <div id={detailId} className="space-y-4 bg-slate-50/60 px-3 pt-1 pb-4 text-sm sm:px-4 sm:pl-21">
          <p className="text-slate-700">{op.description}</p>
          {op.parameters.length > 0 && (
            <section>
              <h4 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Parameters</h4>
              <dl className="space-y-1">
                {op.parameters.map((p) => (
                  <div key={`${p.in}-${p.name}`} className="text-xs">
                    <dt className="inline font-mono font-medium text-slate-900">
                      {p.name}
                      {!p.required && <span className="text-slate-500">?</span>}
                    </dt>
                    <dd className="ml-2 inline text-slate-600">
                      <span className="mr-2 rounded bg-slate-200/70 px-1 text-[10px] text-slate-600 uppercase">{p.in}</span>
                      <code className="font-mono break-all">{typeLabel(p.schema)}</code>
                      {p.description && <span className="ml-2 text-slate-500">{p.description}</span>}
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          )}
          {op.requestBody && (
            <section>
              <h4 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Body</h4>
              {Object.entries(op.requestBody.content).map(([type, { schema }]) => (
                <div key={type} className="mb-2">
                  <p className="mb-1 font-mono text-xs text-slate-500">{type}</p>
                  <SchemaView schema={schema} />
                </div>
              ))}
            </section>
          )}
          <section>
            <h4 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Answers</h4>
            <dl className="space-y-2">
              {Object.entries(op.responses).map(([status, r]) => (
                <div key={status} className="text-xs">
                  <dt className="inline font-mono font-semibold text-slate-900">{status}</dt>
                  <dd className="ml-2 inline text-slate-600">
                    {r.description}
                    {Number(status) < 300 &&
                      Object.entries(r.content ?? {}).map(([type, { schema }]) => (
                        <div key={type} className="mt-1">
                          <p className="mb-1 font-mono text-slate-500">{type}</p>
                          <SchemaView schema={schema} />
                        </div>
                      ))}
                  </dd>
                </div>
              ))}
            </dl>
          </section>
        </div>
      )}
    </li>
  );
}

function matches(path: string, op: TOpenApiOperation, q: string): boolean {
  const needle = q.trim().toLowerCase();
  return !needle || path.toLowerCase().includes(needle) || op.summary.toLowerCase().includes(needle) || op.tags.some((t) => t.includes(needle));
}

function Reference({ doc }: { doc: TOpenApiDocument }) {
  const [q, setQ] = useState("");
  const groups = useMemo(() => {
    const byTag = new Map<string, { method: string; path: string; op: TOpenApiOperation }[]>(doc.tags.map((t) => [t.name, []]));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (matches(path, op, q)) byTag.get(op.tags[0])?.push({ method, path, op });
      }
    }
    return [...byTag].filter(([, ops]) => ops.length > 0);
  }, [doc, q]);
  const count = groups.reduce((n, [, ops]) => n + ops.length, 0);
  return (
    <>
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <div className="w-full max-w-sm">
          <SearchInput id="api-filter" value={q} onCommit={setQ} placeholder="Filter by path or summary" label="Filter operations" />
        </div>
        <p className="text-sm text-slate-500" aria-live="polite">
          {count} {count === 1 ? "operation" : "operations"}
        </p>
      </div>
      {groups.length === 0 ? (
        <EmptyState title="No operation matches">Try part of a path, such as chains or tokens.</EmptyState>
      ) : (
        <div className="space-y-5">
          {groups.map(([tag, ops]) => (
            <section key={tag} aria-labelledby={`tag-${tag}`} className="overflow-hidden rounded-lg border border-slate-200 bg-white">
              <h2 id={`tag-${tag}`} className="border-b border-slate-100 px-4 py-2 text-sm font-semibold text-slate-800 capitalize">
                {tag}
              </h2>
              <ul>
                {ops.map(({ method, path, op }) => (
                  <Operation key={`${method} ${path}`} method={method} path={path} op={op} />
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
      <section aria-labelledby="schemas" className="mt-8 rounded-lg border border-slate-200 bg-white">
        <h2 id="schemas" className="border-b border-slate-100 px-4 py-2 text-sm font-semibold text-slate-800">
          Schemas
        </h2>
        <dl className="divide-y divide-slate-100">
          {Object.entries(doc.components.schemas).map(([name, schema]) => (
            <Fragment key={name}>
              <div id={anchor(name)} className="scroll-mt-4 px-4 py-3">
                <dt className="font-mono text-sm font-semibold text-slate-900">{name}</dt>
                {schema.description && <p className="mt-0.5 text-xs text-slate-600">{schema.description}</p>}
                <dd className="mt-2">
                  <SchemaView schema={schema} />
                </dd>
              </div>
            </Fragment>
          ))}
        </dl>
      </section>
    </>
  );
}

export function ApiReferenceView() {
  const openapi = useOpenApi();
  return (
    <>
      <PageHeader
        title="API reference"
        description="Every route of /api/v1, generated from the same contracts the server checks requests and answers against. Generate a client from the OpenAPI 3.1 document."
        actions={
          <a href="/api/v1/openapi.json" download="delegraph-openapi.json" className="btn-secondary inline-flex items-center gap-1.5">
            <IconDownload size={14} />
            openapi.json
          </a>
        }
      />
      {openapi.isPending ? (
        <LoadingBlock label="Loading the API reference" />
      ) : openapi.isError ? (
        <ErrorState error={openapi.error} onRetry={() => void openapi.refetch()} />
      ) : (
        <Reference doc={openapi.data} />
      )}
    </>
  );
}
