import { isDeepStrictEqual } from 'node:util';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { dataOf, errorsOf, expectDocumentedAnswer, readAnswer } from './answer-properties.js';
import { buildToken } from './arbitraries/apply-jwt-mutations.js';
import {
  type TokenCase,
  type TokenSource,
  type TokenWorkshop,
  tokenCase,
} from './arbitraries/jwt-mutations.js';
import { type FuzzApp, openFuzzApp } from './fuzz-app.js';
import { fuzzTestTimeout, printReport, runFuzz, SET_UP_MS } from './fuzz-run.js';

// Random and mutated JWTs: bits flipped, segments swapped, dropped, repeated or spliced from
// another real token, every claim's type changed (re-signed with the app's own key, so the
// claim checks are what refuse them), random tokens signed with that key. None of them may
// succeed, none may end the real session it came from, and every answer is documented.

const OPERATIONS = [
  '{ me { id } }',
  '{ mySessions { id current } }',
  '{ users { id } }',
  'mutation { reissue { accessToken refreshToken } }',
  'mutation { logout }',
  'mutation { changePassword(input: { currentPassword: "correct horse battery", newPassword: "another password" }) { accessToken } }',
] as const;

let target: FuzzApp;
/** Cases whose mutations came back to a real token (which may then succeed). */
let genuine = 0;

beforeAll(async () => {
  // A mutated kid still shaped like ours makes the key ring reload; by default a request waits
  // up to a second for the next reload window. Without the window the same path runs at once.
  target = await openFuzzApp({}, { unknownKidReloadIntervalMs: 0 });
}, SET_UP_MS);

afterAll(() => target.close());

function realToken(source: TokenSource): string {
  const { pair } = target.identity(source.startsWith('user') ? 'user' : 'admin');
  return source.endsWith('access') ? pair.accessToken : pair.refreshToken;
}

const ALGORITHMS = {
  EdDSA: { name: 'Ed25519' },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
} as const;

const workshop: TokenWorkshop = {
  token: realToken,
  async sign(signingInput) {
    const key = await target.app.deps.keys.signingKey();
    const signature = await crypto.subtle.sign(
      ALGORITHMS[key.alg],
      key.privateKey,
      new TextEncoder().encode(signingInput),
    );
    return base64url.encode(new Uint8Array(signature));
  },
};

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(base64url.decode(part)));
  } catch {
    return undefined; // not a JSON segment
  }
}

/**
 * Whether the token is, to a verifier, one of the real tokens: the same header and claims as
 * one of them, and a valid signature of ours. A mutation can come back to that (a flipped bit
 * in a segment's unused last bits, a splice of a whole token, a re-signing that changed
 * nothing); only then may it succeed.
 */
async function isGenuine(token: string): Promise<boolean> {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const [header, payload, signature] = parts as [string, string, string];
  const claims = [decodeJson(header), decodeJson(payload)];
  const sources: TokenSource[] = ['user-access', 'user-refresh', 'admin-access', 'admin-refresh'];
  const twin = sources.find((source) => {
    const [realHeader, realPayload] = realToken(source).split('.');
    return isDeepStrictEqual(claims, [decodeJson(realHeader ?? ''), decodeJson(realPayload ?? '')]);
  });
  if (twin === undefined) return false;
  const { kid } = claims[0] as { kid: string };
  const found = await target.app.deps.keys.findVerificationKey(kid);
  if (found === undefined) return false;
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(signature);
  } catch {
    return false; // jose refuses it the same way
  }
  return crypto.subtle.verify(
    ALGORITHMS[found.alg],
    found.key,
    new Uint8Array(bytes),
    new TextEncoder().encode(`${header}.${payload}`),
  );
}

async function checkToken(given: TokenCase): Promise<void> {
  // Live sessions to start from, even after a case that failed (shrinking runs more).
  await target.checkSessions();
  const token = await buildToken(given, workshop);
  const query = OPERATIONS[given.operation] ?? OPERATIONS[0];
  const body = JSON.stringify({ query });
  const response = await target.send('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      authorization: `Bearer ${token}`,
    },
    body,
  });
  const answer = await readAnswer(response);
  expectDocumentedAnswer(answer);
  const real = await isGenuine(token);
  if (real) genuine++;
  if (!real) {
    const code = errorsOf(answer)[0]?.extensions?.code;
    const data = dataOf(answer);
    if (code !== 'UNAUTHENTICATED' || (data !== null && data !== undefined)) {
      throw new Error(`a mutated token was not refused: ${token}\n${answer.text.slice(0, 500)}`);
    }
  }
  const ended = await target.checkSessions();
  if (!real && ended.length > 0) {
    throw new Error(`a refused token ended the ${ended.join(' and ')} session: ${token}`);
  }
}

describe('fuzz: random and mutated JWTs', () => {
  it('are refused as UNAUTHENTICATED, with documented answers, and end no real session', {
    timeout: fuzzTestTimeout(),
  }, async () => {
    const report = await runFuzz({
      suite: 'tokens',
      arbitrary: tokenCase(OPERATIONS.length),
      check: checkToken,
      ciRuns: 6000,
    });
    const slowest = target.slowestAnswerMs();
    printReport(report, `${genuine} came back to a real token; slowest answer ${slowest} ms`);
  });
});
