// Privacy by default: which attributes carry message content, and their digests.
//
// Content (prompts, model outputs, system instructions, tool arguments and results, retrieved
// documents, memory records) is replaced at decode time by `sha256:<hex>` unless the operator keeps
// it (DELEGRAPH_KEEP_CONTENT=1). The digest still lets an auditor prove that a given text was (or
// was not) the one exchanged, as `result_hash` does for signed events.
//
// The table is data, producer by producer; the attribute names are the producers' own:
// - OpenTelemetry GenAI (semantic-conventions-genai, registry gen_ai.*): gen_ai.input.messages,
//   gen_ai.output.messages, gen_ai.system_instructions, gen_ai.tool.call.arguments,
//   gen_ai.tool.call.result, gen_ai.retrieval.documents, gen_ai.retrieval.query.text,
//   gen_ai.memory.records, gen_ai.memory.query.text, gen_ai.prompt.variable.<name> (MCP prompts/get);
//   the deprecated gen_ai.prompt / gen_ai.completion and their indexed gen_ai.prompt.<n>.* forms.
// - OpenInference: input.value, output.value, llm.input_messages.*, llm.output_messages.*,
//   llm.prompts, llm.prompt_template.variables, message.content, retrieval.documents.*,
//   embedding.embeddings.* (the embedded texts and vectors), tool_call.function.arguments.
// - OpenLLMetry: traceloop.entity.input, traceloop.entity.output, llm.prompts.*, llm.completions.*.
// - Older agent instrumentations: gen_ai.tool.input, gen_ai.tool.output, gen_ai.handoff.context.
// - Events: the deprecated GenAI message events (gen_ai.user.message, gen_ai.choice, …) carry
//   `content`, `message` and `tool_calls`; any event attribute matching the span rules is content too.
import { createHash } from "node:crypto";
import type { TAttrValue, TAttributes } from "./types";

const EXACT_KEYS = new Set([
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.system_instructions",
  "gen_ai.tool.call.arguments",
  "gen_ai.tool.call.result",
  "gen_ai.retrieval.documents",
  "gen_ai.retrieval.query.text",
  "gen_ai.memory.records",
  "gen_ai.memory.query.text",
  "gen_ai.prompt",
  "gen_ai.completion",
  "gen_ai.tool.input",
  "gen_ai.tool.output",
  "gen_ai.handoff.context",
  "input.value",
  "output.value",
  "llm.prompts",
  "llm.completions",
  "llm.prompt_template.variables",
  "message.content",
  "tool_call.function.arguments",
  "traceloop.entity.input",
  "traceloop.entity.output",
]);

const PREFIXES = [
  "gen_ai.prompt.variable.",
  "llm.input_messages.",
  "llm.output_messages.",
  "llm.prompts.",
  "llm.completions.",
  "retrieval.documents.",
  "embedding.embeddings.",
];

// gen_ai.prompt.0.content, gen_ai.completion.2.tool_calls.0.arguments (deprecated indexed form);
// gen_ai.prompt.name (an MCP prompt's name) is not content and does not match.
const INDEXED = /^gen_ai\.(?:prompt|completion)\.\d+\./;

/** Event names whose `content`-like attributes are message content (deprecated GenAI events). */
const MESSAGE_EVENT = /^gen_ai\.(?:system|user|assistant|tool)\.message$|^gen_ai\.choice$/;
const MESSAGE_EVENT_KEYS = new Set(["content", "message", "tool_calls", "gen_ai.event.content"]);

export function isContentKey(key: string, eventName?: string): boolean {
  if (EXACT_KEYS.has(key) || INDEXED.test(key)) return true;
  for (const p of PREFIXES) if (key.startsWith(p)) return true;
  return eventName !== undefined && MESSAGE_EVENT.test(eventName) && MESSAGE_EVENT_KEYS.has(key);
}

/** JSON with object keys sorted, so equal values digest equally whatever the key order on the wire. */
export function canonicalJson(value: TAttrValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
}

/**
 * `sha256:<hex>` of a content value: a string digests as its UTF-8 bytes (so the digest of a prompt
 * is the digest of its text), anything else as its canonical JSON.
 */
export function contentDigest(value: TAttrValue): string {
  const text = typeof value === "string" ? value : canonicalJson(value);
  return `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
}

/**
 * The digests of a map's content attributes, keyed as the span's `redactedKeys` name them. A value
 * already replaced by the decoder is its own digest.
 */
export function digestContent(attributes: TAttributes, redacted: ReadonlySet<string>, prefix = "", eventName?: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(attributes)) {
    const name = prefix + key;
    const value = attributes[key];
    if (redacted.has(name) && typeof value === "string") out[name] = value;
    else if (isContentKey(key, eventName)) out[name] = contentDigest(value);
  }
  return out;
}
