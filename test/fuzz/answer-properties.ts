import { AUTH_ERRORS, ERROR_CODES, OPERATION_LIMIT_EXCEEDED } from '../../src/errors.js';

// What every answer to a fuzzed request must satisfy, whatever the request was.

/** 2xx we answer, and every 4xx the README documents. Anything else (5xx first) is a bug. */
export const DOCUMENTED_STATUSES: ReadonlySet<number> = new Set([
  200, 204, 400, 401, 403, 404, 405, 411, 413, 415, 429,
]);

const CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES));
const REASONS: ReadonlySet<string> = new Set([
  ...Object.keys(AUTH_ERRORS),
  OPERATION_LIMIT_EXCEEDED,
]);

/** Signs of an internal detail: a stack frame, a source path, a driver or runtime error name. */
const LEAKS: readonly RegExp[] = [
  /\bat [^\s]+ \(/,
  /\n\s+at /,
  /node_modules|node:internal|file:\/\//,
  /\.[cm]?[jt]s:\d+/,
  /\/(?:src|dist|work|tmp)\//,
  /sqlite|drizzle|better-sqlite3|postgres|ioredis|argon2/i,
  /\b(?:Type|Range|Reference|Syntax)Error\b/,
  /Cannot read propert|is not a function|Unexpected token/,
];

/** An answer read once: status, content type, body, and the GraphQL results it carries. */
export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  readonly text: string;
  /** One for JSON; one per event or part for an event stream or a multipart answer. */
  readonly results: readonly unknown[];
}

export interface GraphQLErrorShape {
  readonly message?: unknown;
  readonly extensions?: Record<string, unknown>;
}

export async function readAnswer(response: Response): Promise<Answer> {
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    contentType,
    headers: response.headers,
    text,
    results: resultsIn(contentType, text),
  };
}

/** The JSON results in a body: the body itself, `data:` lines of events, or multipart parts. */
function resultsIn(contentType: string, text: string): unknown[] {
  if (text === '') return [];
  if (/^text\/event-stream/i.test(contentType)) {
    return text
      .split('\n')
      .filter((line) => line.startsWith('data:') && line.length > 'data:'.length + 1)
      .map((line) => JSON.parse(line.slice('data:'.length)));
  }
  if (/^multipart\/mixed/i.test(contentType)) {
    return text
      .split(/\r?\n\r?\n/)
      .map((part) => part.trim().split(/\r?\n--/)[0] ?? '')
      .filter((part) => part.startsWith('{'))
      .map((part) => JSON.parse(part));
  }
  return /json/i.test(contentType) ? [JSON.parse(text)] : [];
}

/** Every error of every result in the answer. */
export function errorsOf(answer: Answer): readonly GraphQLErrorShape[] {
  return answer.results.flatMap((body) => {
    if (typeof body !== 'object' || body === null || !('errors' in body)) return [];
    const { errors } = body;
    if (!Array.isArray(errors)) throw new Error('`errors` is not a list');
    return errors as GraphQLErrorShape[];
  });
}

/** `data` of the (first) result, or undefined. */
export function dataOf(answer: Answer): unknown {
  const body = answer.results[0];
  return typeof body === 'object' && body !== null && 'data' in body ? body.data : undefined;
}

/**
 * The properties every answer has: a documented status, never 5xx; no internal detail in any
 * error or non-JSON body; every error with a registry code (and a registry reason, if any);
 * no masked internal error, since nothing here is broken but the input; and every 4xx but a
 * 404 says why with such an error (or in the header HTTP has for it: `WWW-Authenticate` on a
 * 401, `Allow` on a 405; an answer to HEAD has no body).
 */
export function expectDocumentedAnswer(answer: Answer, method = 'POST'): void {
  const failures: string[] = [];
  if (!DOCUMENTED_STATUSES.has(answer.status))
    failures.push(`undocumented status ${answer.status}`);
  const errors = errorsOf(answer);
  for (const error of errors) {
    const code = error.extensions?.code;
    const reason = error.extensions?.reason;
    if (typeof code !== 'string' || !CODES.has(code)) {
      failures.push(`error without a registry code: ${JSON.stringify(error).slice(0, 300)}`);
    }
    if (reason !== undefined && (typeof reason !== 'string' || !REASONS.has(reason))) {
      failures.push(`error with an unknown reason: ${String(reason)}`);
    }
    if (code === ERROR_CODES.INTERNAL_SERVER_ERROR) failures.push('a masked internal error');
    for (const hidden of ['stack', 'exception', 'originalError', 'trace']) {
      if (error.extensions !== undefined && hidden in error.extensions) {
        failures.push(`extensions.${hidden} is exposed`);
      }
    }
    failures.push(...leaksIn(String(error.message)));
  }
  if (answer.results.length === 0) failures.push(...leaksIn(answer.text));
  // A 404 is an unknown path and says so by itself; an answer to HEAD has no body.
  const explained =
    errors.length > 0 ||
    answer.status === 404 ||
    method === 'HEAD' ||
    // HTTP's own way of saying why: a challenge on a 401 (/metrics), `Allow` on a 405.
    (answer.status === 401 && answer.headers.has('www-authenticate')) ||
    (answer.status === 405 && answer.headers.has('allow'));
  if (answer.status >= 400 && !explained) {
    failures.push(`a ${answer.status} without an error saying why`);
  }
  if (failures.length > 0) {
    throw new Error(
      `${failures.join('; ')}\nanswer: ${answer.status} ${answer.text.slice(0, 500)}`,
    );
  }
}

function leaksIn(text: string): string[] {
  return LEAKS.filter((pattern) => pattern.test(text)).map(
    (pattern) => `internal detail (${pattern.source}): ${text.slice(0, 300)}`,
  );
}
