// One GraphQL request to a real process, classified the way a client under fault sees it: data,
// an error answer (with its code and reason), or no HTTP answer at all (the connection was
// refused or cut, or the wait passed its bound). The last case is the only one in which a
// client cannot know whether its request was carried out.

export type Answer =
  | { readonly kind: 'data'; readonly status: number; readonly data: Record<string, unknown> }
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly code: string;
      readonly reason: string | null;
      readonly message: string;
    }
  | { readonly kind: 'none'; readonly cause: string };

export interface TimedAnswer {
  readonly answer: Answer;
  /** performance.now() when the request was sent. */
  readonly sentAt: number;
  readonly ms: number;
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message?: string; extensions?: { code?: string; reason?: string } }[];
}

/** Sends `query` (with a bearer token when given) and never waits longer than `timeoutMs`. */
export async function sendOperation(
  url: string,
  query: string,
  token: string | null,
  timeoutMs: number,
): Promise<TimedAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const sentAt = performance.now();
  let answer: Answer;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    answer = classify(response.status, await response.text());
  } catch (error) {
    answer = { kind: 'none', cause: causeOf(error) };
  }
  return { answer, sentAt, ms: performance.now() - sentAt };
}

function classify(status: number, text: string): Answer {
  let body: GraphQLBody;
  try {
    body = JSON.parse(text) as GraphQLBody;
  } catch {
    return { kind: 'error', status, code: 'NOT_JSON', reason: null, message: text.slice(0, 200) };
  }
  const first = body.errors?.[0];
  if (first === undefined && body.data) return { kind: 'data', status, data: body.data };
  return {
    kind: 'error',
    status,
    code: first?.extensions?.code ?? 'NONE',
    reason: first?.extensions?.reason ?? null,
    message: first?.message ?? '',
  };
}

/** The masked answer to a store failure: the only error a fault may cause. */
export function isMaskedError(answer: Answer): boolean {
  return (
    answer.kind === 'error' &&
    answer.code === 'INTERNAL_SERVER_ERROR' &&
    answer.message === 'Unexpected error.'
  );
}

/** An answer a fault caused: the masked error, or none. */
export function isFailure(answer: Answer): boolean {
  return answer.kind === 'none' || isMaskedError(answer);
}

/** A short label for counting answers: `data`, `none`, or the error's code and reason. */
export function labelOf(answer: Answer): string {
  if (answer.kind !== 'error') return answer.kind;
  return answer.reason === null ? answer.code : `${answer.code}/${answer.reason}`;
}

function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'TIMEOUT';
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
