// The error envelope every API answer uses: {"error": {"code", "message"}} (docs/protocol.md §8), and the codes
// with their HTTP statuses. The server maps to it (lib/http.ts); the dashboard and the SDK read it.
export const ERROR_STATUS = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_request: 400,
  payload_too_large: 413,
  too_many_requests: 429,
  service_unavailable: 503,
  internal: 500,
} as const;
export type TErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as TErrorCode[];

export type TErrorBody = { error: { code: TErrorCode; message: string } };
