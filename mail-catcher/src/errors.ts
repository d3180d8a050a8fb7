import { rateLimitMessage } from "./rate-limit";

// Error bodies in the shape Resend answers with. The SDK hands the parsed body back as `error`
// verbatim, so the app's error handling sees exactly what it would see in production.
export interface ResendErrorBody {
  statusCode: number;
  name: string;
  message: string;
}

export function errorBody(statusCode: number, name: string, message: string): ResendErrorBody {
  return { statusCode, name, message };
}

/** The name Resend uses for a status, so a fault rule only has to say which status it wants. */
export function defaultErrorName(status: number): string {
  switch (status) {
    case 400:
    case 413:
    case 422:
      return "validation_error";
    case 401:
      return "missing_api_key";
    case 403:
      return "invalid_api_key";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "invalid_idempotent_request";
    case 429:
      return "rate_limit_exceeded";
    case 500:
      return "internal_server_error";
    default:
      return "application_error";
  }
}

export function defaultErrorMessage(status: number): string {
  switch (status) {
    case 429:
      return rateLimitMessage(2);
    case 500:
      return "An unexpected error occurred.";
    case 502:
    case 503:
    case 504:
      return "Service unavailable. We are unable to process your request right now, please try again later.";
    default:
      return `Request failed with status ${status}.`;
  }
}

export const MESSAGES = {
  missingApiKey:
    "Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY",
  invalidApiKey: "API key is invalid",
  invalidJson: "The request body is not valid JSON.",
  idempotencyConflict:
    "Same idempotency key used with a different request payload. Change your idempotency key or try with the original request payload.",
  idempotencyConcurrent:
    "Same idempotency key used while original request is still in progress. Try the request again later.",
  idempotencyKeyInvalid: "The `Idempotency-Key` header must be between 1 and 256 characters.",
} as const;

export function unsupportedMediaType(contentType: string | undefined): string {
  return `The request body must be JSON sent with \`Content-Type: application/json\`${contentType ? `, not \`${contentType}\`` : ""}.`;
}
