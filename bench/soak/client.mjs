// The soak's client: one function per operation, each checking the whole answer (status, shape,
// codes) and throwing WrongAnswer when anything is off. Nothing here retries.

import { readJwtPayload } from '../lib/graphql-client.mjs';

/** No answer within this is a hang, and a wrong answer. */
export const REQUEST_TIMEOUT_MS = 10_000;

const PAIR = 'accessToken refreshToken tokenType accessTokenExpiresAt user { id email }';

export class WrongAnswer extends Error {
  constructor(operation, why, answer) {
    super(`${operation}: ${why}`);
    this.operation = operation;
    this.answer = answer === undefined ? undefined : JSON.stringify(answer).slice(0, 400);
  }
}

/** The slowest answer so far, per operation name, in ms. */
export const slowest = {};

/** POSTs one operation; any transport failure or a non-JSON body is a WrongAnswer. */
async function post(url, operation, query, { variables, token, clientIp }) {
  const started = performance.now();
  try {
    return await postOnce(url, operation, query, { variables, token, clientIp });
  } finally {
    const ms = Math.round(performance.now() - started);
    slowest[operation] = Math.max(slowest[operation] ?? 0, ms);
  }
}

async function postOnce(url, operation, query, { variables, token, clientIp }) {
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': clientIp };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let response;
  let text;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    const cause = error.cause?.code ?? error.cause?.message;
    throw new WrongAnswer(
      operation,
      `no answer (${error.name}: ${error.message}${cause === undefined ? '' : `, ${cause}`})`,
    );
  }
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new WrongAnswer(operation, `status ${response.status}, not JSON`, text);
  }
  return { status: response.status, body };
}

function expectData(operation, { status, body }, field) {
  if (status !== 200 || body.errors !== undefined || body.data?.[field] === undefined) {
    throw new WrongAnswer(operation, `expected data.${field} with status 200`, { status, body });
  }
  return body.data[field];
}

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** A pair for `user`: both tokens JWTs, of one session, for this user. */
function expectPair(operation, pair, user) {
  const ok =
    JWT.test(pair.accessToken) &&
    JWT.test(pair.refreshToken) &&
    pair.tokenType === 'Bearer' &&
    !Number.isNaN(Date.parse(pair.accessTokenExpiresAt)) &&
    pair.user?.email === user.email &&
    (user.id === undefined || pair.user.id === user.id);
  const sid = ok ? readJwtPayload(pair.accessToken).sid : undefined;
  if (!ok || typeof sid !== 'string' || readJwtPayload(pair.refreshToken).sid !== sid) {
    throw new WrongAnswer(operation, 'malformed token pair', pair);
  }
  return { id: sid, accessToken: pair.accessToken, refreshToken: pair.refreshToken };
}

/** The refusal `reasons` allows: status 200 (GraphQL errors), UNAUTHENTICATED, no data. */
function expectRefusal(operation, { status, body }, code, reasons) {
  const error = body.errors?.[0];
  const ok =
    status === 200 &&
    body.errors.length === 1 &&
    body.data === null &&
    error?.extensions?.code === code &&
    reasons.includes(error.extensions.reason);
  if (!ok) throw new WrongAnswer(operation, `expected ${code} ${reasons.join('|')}`, body);
}

export function signUp(url, user, clientIp) {
  return login(url, user, clientIp, 'signUp');
}

/** `login` (or `signUp`): a new session of `user`. */
export async function login(url, user, clientIp, field = 'login') {
  const answer = await post(
    url,
    field,
    `mutation ($input: ${field === 'login' ? 'LoginInput' : 'SignUpInput'}!) { ${field}(input: $input) { ${PAIR} } }`,
    { variables: { input: { email: user.email, password: user.password } }, clientIp },
  );
  const pair = expectData(field, answer, field);
  user.id ??= pair.user?.id;
  return expectPair(field, pair, user);
}

/** `login` with a password that is no longer the account's: INVALID_CREDENTIALS. */
export async function loginRefused(url, user, password, clientIp) {
  const answer = await post(
    url,
    'login',
    `mutation ($input: LoginInput!) { login(input: $input) { accessToken } }`,
    {
      variables: { input: { email: user.email, password } },
      clientIp,
    },
  );
  expectRefusal('login (old password)', answer, 'UNAUTHENTICATED', ['INVALID_CREDENTIALS']);
}

export async function me(url, user, session, clientIp) {
  const answer = await post(url, 'me', '{ me { id email } }', {
    token: session.accessToken,
    clientIp,
  });
  const value = expectData('me', answer, 'me');
  if (value.id !== user.id || value.email !== user.email) {
    throw new WrongAnswer('me', 'another user', value);
  }
}

/** `me` and `reissue` with the tokens of an ended session: both refused as SESSION_REVOKED. */
export async function expectEnded(url, session, clientIp) {
  const asMe = await post(url, 'me', '{ me { id } }', { token: session.accessToken, clientIp });
  expectRefusal('me (ended session)', asMe, 'UNAUTHENTICATED', ['SESSION_REVOKED']);
  const asReissue = await post(url, 'reissue', 'mutation { reissue { accessToken } }', {
    token: session.refreshToken,
    clientIp,
  });
  expectRefusal('reissue (ended session)', asReissue, 'UNAUTHENTICATED', ['SESSION_REVOKED']);
}

export async function reissue(url, user, session, clientIp) {
  const answer = await post(url, 'reissue', `mutation { reissue { ${PAIR} } }`, {
    token: session.refreshToken,
    clientIp,
  });
  const next = expectPair('reissue', expectData('reissue', answer, 'reissue'), user);
  if (next.id !== session.id || next.refreshToken === session.refreshToken) {
    throw new WrongAnswer('reissue', 'not a rotation of the same session', next);
  }
  return next;
}

/** `mySessions`: exactly the sessions the soak holds for `user`, `session` marked current. */
export async function mySessions(url, user, session, clientIp) {
  const answer = await post(url, 'mySessions', '{ mySessions { id current expiresAt } }', {
    token: session.accessToken,
    clientIp,
  });
  const list = expectData('mySessions', answer, 'mySessions');
  const ids = list.map((entry) => entry.id).sort();
  const expected = user.sessions.map((held) => held.id).sort();
  const current = list.filter((entry) => entry.current).map((entry) => entry.id);
  if (ids.join() !== expected.join() || current.join() !== session.id) {
    throw new WrongAnswer('mySessions', `expected ${expected.length} sessions`, list);
  }
}

/** `logout(scope)` from `session`: answers true. */
export async function logout(url, session, scope, clientIp) {
  const answer = await post(url, 'logout', `mutation { logout(scope: ${scope}) }`, {
    token: session.accessToken,
    clientIp,
  });
  if (expectData('logout', answer, 'logout') !== true) {
    throw new WrongAnswer('logout', 'expected true', answer.body);
  }
}

/** `revokeSession(id)` of another live session of the caller's: answers true. */
export async function revokeSession(url, session, id, clientIp) {
  const answer = await post(
    url,
    'revokeSession',
    'mutation ($id: ID!) { revokeSession(id: $id) }',
    {
      token: session.accessToken,
      variables: { id },
      clientIp,
    },
  );
  if (expectData('revokeSession', answer, 'revokeSession') !== true) {
    throw new WrongAnswer('revokeSession', 'expected true', answer.body);
  }
}

/** `changePassword`: a new pair for the same session. */
export async function changePassword(url, user, session, newPassword, clientIp) {
  const answer = await post(
    url,
    'changePassword',
    `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { ${PAIR} } }`,
    {
      token: session.accessToken,
      variables: { input: { currentPassword: user.password, newPassword } },
      clientIp,
    },
  );
  const next = expectPair(
    'changePassword',
    expectData('changePassword', answer, 'changePassword'),
    user,
  );
  if (next.id !== session.id) throw new WrongAnswer('changePassword', 'another session', next);
  return next;
}
