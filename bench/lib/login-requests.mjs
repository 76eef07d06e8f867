// `login` under load, shared by the login suite and the storm process.

import { runLoad } from './load.mjs';

export function loginBody(email, password) {
  return JSON.stringify({
    query: 'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }',
    variables: { input: { email, password } },
  });
}

/** Closed-loop logins rotating over `accounts`; every answer must carry an access token. */
export function runLogins({ url, accounts, password, connections, seconds }) {
  const bodies = accounts.map((email) => loginBody(email, password));
  let next = 0;
  return runLoad({
    url,
    connections,
    seconds,
    verify: (text) => text.startsWith('{"data":{"login":{"accessToken":"'),
    setupRequest(req) {
      req.body = bodies[next++ % bodies.length];
      return req;
    },
  });
}
