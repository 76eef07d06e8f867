// One load run with autocannon, in this process, against one subject. Every response body is
// checked, so a subject that answers fast but wrongly (an error, a rate limit) is caught.

import autocannon from 'autocannon';

/**
 * Runs closed-loop load (or open-loop at `rate` requests/s) for `seconds` (or for `amount`
 * requests) and returns
 * throughput and latency. `headerPool` rotates a header value per request, so the subject
 * sees many distinct tokens rather than one. `verify(body)` must return true for a correct
 * answer; anything else is counted as a failure.
 */
export async function runLoad({
  url,
  method = 'POST',
  path,
  body,
  headers = {},
  headerPool,
  connections,
  seconds,
  amount,
  rate,
  verify,
  setupRequest,
  onResponse,
}) {
  const target = new URL(url);
  let next = 0;
  let firstFailure = null;
  const request = {
    method,
    path: path ?? `${target.pathname}${target.search}`,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  };
  if (setupRequest) {
    request.setupRequest = setupRequest;
  } else if (headerPool) {
    const [name, values] = headerPool;
    request.setupRequest = (req) => {
      req.headers = { ...req.headers, [name]: values[next++ % values.length] };
      return req;
    };
  }
  if (onResponse) request.onResponse = onResponse;

  const result = await autocannon({
    url: `${target.protocol}//${target.host}`,
    connections,
    ...(amount === undefined ? { duration: seconds } : { amount }),
    pipelining: 1,
    timeout: 10,
    ...(rate === undefined ? {} : { overallRate: rate }),
    requests: [request],
    verifyBody: (text) => {
      const ok = verify(text);
      if (!ok && firstFailure === null) firstFailure = text.slice(0, 300);
      return ok;
    },
  });
  const completed = result.requests.total;
  const failed = result.mismatches + result.non2xx + result.errors + result.timeouts;
  return {
    requestsPerSecond: completed / (amount === undefined ? seconds : result.duration),
    completed,
    failed,
    firstFailure,
    latency: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
  };
}

/** Throws when a run had failed requests: a figure built on errors would be a lie. */
export function assertNoFailures(label, run) {
  if (run.failed > 0) {
    throw new Error(
      `${label}: ${run.failed} of ${run.completed} requests failed; first failing body: ${run.firstFailure}`,
    );
  }
}
