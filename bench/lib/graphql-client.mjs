// A minimal GraphQL-over-HTTP client for setting up benchmarks (not for the timed part).

/** POSTs one operation and returns the parsed JSON body with the status. */
export async function postGraphQL(url, query, { variables, token, headers = {} } = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, body };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at a time. */
export async function runPool(count, concurrency, task) {
  const results = new Array(count);
  let next = 0;
  async function worker() {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** Reads a JWT's payload without verifying it: the harness only needs its own tokens' ids. */
export function readJwtPayload(token) {
  const segment = token.split('.')[1];
  return JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
}
