/** Calling the demo's HTTP API, and turning its errors into sentences. */

/** A failed API call, with a message fit to show. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Whether a parsed JSON value is an object (not `null`, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The API path of an object: the bucket and each key segment percent-encoded, `/` kept. */
export function fileUrl(bucket: string, key: string): string {
  return `/buckets/${encodeURIComponent(bucket)}/files/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * A sentence for a failed answer: the API's `message` (its errors are JSON `{ statusCode, code,
 * message }`), with a hint for 401, or the status for any other body. Never the raw body.
 */
export function describeFailure(status: number, statusText: string, body: string): string {
  let message: string | undefined;
  let code: string | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (isRecord(parsed)) {
      if (typeof parsed.message === 'string' && parsed.message.trim() !== '') {
        message = parsed.message.trim();
      }
      if (typeof parsed.code === 'string') code = parsed.code;
    }
  } catch {
    // not JSON: described by its status below
  }
  if (status === 401) {
    return `${message ?? 'The API token was refused.'} Check the API token field.`;
  }
  if (message === undefined) {
    return `the server answered ${status}${statusText ? ` ${statusText}` : ''}.`;
  }
  const suffix = code !== undefined && !message.includes(code) ? ` (${code})` : '';
  return `${message}${suffix}`;
}

const NETWORK_FAILURE = 'the demo server could not be reached. Is it still running?';

/**
 * Sends a request to the API; resolves with the parsed JSON body (or undefined for 204), rejects
 * with an {@link ApiFailure}.
 */
export async function api(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  token?: string,
): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, cache: 'no-store' });
  } catch {
    throw new ApiFailure(0, NETWORK_FAILURE);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    throw new ApiFailure(
      response.status,
      describeFailure(response.status, response.statusText, text),
    );
  }
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiFailure(response.status, 'the server sent an answer that is not JSON.');
  }
}
