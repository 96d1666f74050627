"use client";
import { useQuery } from "@tanstack/react-query";
import { apiGet } from "../fetcher";

export type TJsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, TJsonSchema>;
  required?: string[];
  items?: TJsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: TJsonSchema[];
  oneOf?: TJsonSchema[];
  allOf?: TJsonSchema[];
  additionalProperties?: boolean | TJsonSchema;
  description?: string;
  format?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
};
export type TOpenApiParameter = { name: string; in: "path" | "query"; required: boolean; schema: TJsonSchema; description?: string };
export type TOpenApiOperation = {
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  parameters: TOpenApiParameter[];
  requestBody?: { content: Record<string, { schema: TJsonSchema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: TJsonSchema }> }>;
  "x-delegraph-roles"?: string[];
};
export type TOpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, TOpenApiOperation>>;
  components: { schemas: Record<string, TJsonSchema> };
};

/** The API's OpenAPI document, as the server serves it (it changes only with a new release). */
export function useOpenApi() {
  return useQuery({
    queryKey: ["openapi"],
    queryFn: ({ signal }) => apiGet<TOpenApiDocument>("/api/v1/openapi.json", signal),
    staleTime: Infinity,
  });
}
