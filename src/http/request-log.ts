import { randomUUID } from 'node:crypto';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';

/** What one request leaves behind in the log: one line, written when the response is ready. */
export interface RequestLogEntry {
  readonly requestId: string;
  readonly method: string;
  /** The path only: a GET query string can carry GraphQL variables. */
  readonly path: string;
  readonly operation: string | null;
  /** `ok`, or `error` when the status is 4xx/5xx or the result carries GraphQL errors. */
  readonly outcome: 'ok' | 'error';
  readonly status: number;
  /** `code` or `code/reason` of each GraphQL error, e.g. `UNAUTHENTICATED/TOKEN_EXPIRED`. */
  readonly errors: readonly string[];
  readonly durationMs: number;
}

interface RequestState {
  readonly requestId: string;
  readonly startedAt: number;
  operation: string | null;
  readonly errors: string[];
}

/** A caller's own request id is kept when it is short and plain; anything else is replaced. */
const CLIENT_REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * Logs one JSON line per HTTP request and answers with its `x-request-id`.
 *
 * Only the fields of {@link RequestLogEntry} are written, at every log level: never headers,
 * variables, query strings or results, so no token, password or `Authorization` value can reach
 * the log through this plugin.
 */
export function useRequestLog(logger: Logger): Plugin {
  const states = new WeakMap<Request, RequestState>();
  // Requests to one server mostly share one URL: its path is parsed once, not per line.
  let lastUrl = '';
  let lastPath = '';
  const pathOf = (url: string): string => {
    if (url !== lastUrl) {
      lastPath = new URL(url).pathname;
      lastUrl = url;
    }
    return lastPath;
  };

  return {
    instrumentation: {
      // Runs around the whole request, before any plugin's onRequest, so the requests yoga
      // answers early (GET /health, CORS preflights, the GraphiQL page) are logged too.
      request({ request }, handle) {
        const offered = request.headers.get('x-request-id');
        states.set(request, {
          requestId: offered !== null && CLIENT_REQUEST_ID.test(offered) ? offered : randomUUID(),
          startedAt: performance.now(),
          operation: null,
          errors: [],
        });
        return handle();
      },
    },
    onParams({ request, params }) {
      const state = states.get(request);
      if (state && typeof params.operationName === 'string') {
        state.operation = params.operationName;
      }
    },
    onExecute({ args }) {
      // The operation actually executed, named or not, wins over what the client asked for.
      const request = (args.contextValue as { request?: Request }).request;
      const state = request ? states.get(request) : undefined;
      const name = getOperationAST(args.document, args.operationName)?.name?.value;
      if (state && name !== undefined) state.operation = name;
    },
    onResultProcess({ request, result }) {
      const state = states.get(request);
      if (!state) return;
      for (const single of Array.isArray(result) ? result : [result]) {
        if (!('errors' in single) || !Array.isArray(single.errors)) continue;
        for (const error of single.errors) state.errors.push(describeError(error));
      }
    },
    onResponse({ request, response }) {
      const state = states.get(request);
      if (!state) return;
      response.headers.set('x-request-id', state.requestId);
      const entry: RequestLogEntry = {
        requestId: state.requestId,
        method: request.method,
        path: pathOf(request.url),
        operation: state.operation,
        outcome: response.status >= 400 || state.errors.length > 0 ? 'error' : 'ok',
        status: response.status,
        errors: state.errors,
        durationMs: Math.round((performance.now() - state.startedAt) * 10) / 10,
      };
      logger.info('request', entry);
    },
  };
}

function describeError(error: unknown): string {
  const extensions =
    typeof error === 'object' && error !== null && 'extensions' in error
      ? (error.extensions as Record<string, unknown> | undefined)
      : undefined;
  const code = typeof extensions?.code === 'string' ? extensions.code : 'UNKNOWN';
  return typeof extensions?.reason === 'string' ? `${code}/${extensions.reason}` : code;
}
