// Mixed traffic for the soak. Each client owns its accounts, so it knows exactly which of their
// sessions are live and can check every answer, including that an ended session stays ended.
// A revocation (logout, revokeSession, logout OTHERS or a password change) is due at least
// every `revokeEveryMs`; the client that sees it due does one next.

import * as api from './client.mjs';
import { WrongAnswer } from './client.mjs';

/** Sessions an account holds at most; a login past it first ends the oldest. */
const MAX_SESSIONS = 4;
/** Distinct client addresses (sent as X-Forwarded-For) the rate limits count. */
const CLIENT_ADDRESSES = 2_000;
/** Wrong answers after which the run stops early: the verdict is already known. */
const MAX_FAILURES = 20;

// Relative weights of the operations a client picks at random.
const WEIGHTS = [
  ['me', 60],
  ['reissue', 20],
  ['mySessions', 10],
  ['login', 5],
  ['logout', 2],
  ['revokeSession', 1.5],
  ['logoutOthers', 1],
  ['changePassword', 0.5],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
const REVOCATIONS = new Set(['logout', 'revokeSession', 'logoutOthers', 'changePassword']);

function pick(items) {
  return items[Math.floor(Math.random() * items.length)];
}

function randomAddress() {
  const n = Math.floor(Math.random() * CLIENT_ADDRESSES);
  return `10.77.${n >> 8}.${n & 255}`;
}

function pickOperation() {
  let roll = Math.random() * TOTAL_WEIGHT;
  for (const [name, weight] of WEIGHTS) {
    roll -= weight;
    if (roll < 0) return name;
  }
  return 'me';
}

/** Creates `count` accounts (signUp), each with its first session. */
export async function createAccounts(url, count, runId) {
  const users = [];
  for (let i = 0; i < count; i++) {
    const user = { email: `soak-${runId}-${i}@example.com`, password: `soak password ${i} 0` };
    user.sessions = [await api.signUp(url, user, randomAddress())];
    user.passwordChanges = 0;
    users.push(user);
  }
  return users;
}

/**
 * Runs `clients` loops over their share of `users` until `deadline` (a Date.now() value) or too
 * many wrong answers. Returns the counts per operation, the wrong answers, and the revocations.
 */
export async function runTraffic({ url, users, clients, deadline, revokeEveryMs }) {
  const counts = Object.fromEntries(WEIGHTS.map(([name]) => [name, 0]));
  counts.endedChecks = 0;
  const failures = [];
  const revocationTimes = [];
  let revocationDueAt = Date.now() + revokeEveryMs;

  const apply = {
    async me(user, session, ip) {
      await api.me(url, user, session, ip);
    },
    async reissue(user, session, ip) {
      replace(user, await api.reissue(url, user, session, ip));
    },
    async mySessions(user, session, ip) {
      await api.mySessions(url, user, session, ip);
    },
    async login(user, _session, ip) {
      if (user.sessions.length >= MAX_SESSIONS) await endOne(user, user.sessions[0], ip);
      user.sessions.push(await api.login(url, user, ip));
    },
    async logout(user, session, ip) {
      await endOne(user, session, ip);
    },
    async revokeSession(user, session, ip) {
      const other = user.sessions.find((held) => held.id !== session.id);
      if (other === undefined) return endOne(user, session, ip);
      await api.revokeSession(url, session, other.id, ip);
      await ended(user, [other], ip);
    },
    async logoutOthers(user, session, ip) {
      await api.logout(url, session, 'OTHERS', ip);
      await ended(
        user,
        user.sessions.filter((held) => held.id !== session.id),
        ip,
      );
    },
    async changePassword(user, session, ip) {
      const oldPassword = user.password;
      const newPassword = `soak password ${user.email} ${++user.passwordChanges}`;
      replace(user, await api.changePassword(url, user, session, newPassword, ip));
      user.password = newPassword;
      await ended(
        user,
        user.sessions.filter((held) => held.id !== session.id),
        ip,
      );
      await api.loginRefused(url, user, oldPassword, ip);
    },
  };

  function replace(user, next) {
    user.sessions = user.sessions.map((held) => (held.id === next.id ? next : held));
  }

  async function endOne(user, session, ip) {
    await api.logout(url, session, 'CURRENT', ip);
    await ended(user, [session], ip);
  }

  /** Forgets `sessions`, then checks that their tokens are refused from now on. */
  async function ended(user, sessions, ip) {
    const gone = new Set(sessions.map((held) => held.id));
    user.sessions = user.sessions.filter((held) => !gone.has(held.id));
    revocationTimes.push(Date.now());
    for (const session of sessions) {
      await api.expectEnded(url, session, ip);
      counts.endedChecks++;
    }
  }

  async function step(user) {
    let name = pickOperation();
    if (Date.now() >= revocationDueAt) {
      name = pick(['logout', 'revokeSession', 'logoutOthers', 'changePassword']);
    }
    if (user.sessions.length === 0) name = 'login';
    if (REVOCATIONS.has(name)) revocationDueAt = Date.now() + revokeEveryMs;
    await apply[name](user, pick(user.sessions), randomAddress());
    counts[name]++;
  }

  async function client(own) {
    let usable = own;
    while (Date.now() < deadline && failures.length < MAX_FAILURES && usable.length > 0) {
      const user = pick(usable);
      try {
        await step(user);
      } catch (error) {
        if (!(error instanceof WrongAnswer)) throw error;
        failures.push({
          at: new Date().toISOString(),
          message: error.message,
          answer: error.answer,
        });
        // What the account holds is unknown now, so no later answer about it could be checked.
        usable = usable.filter((other) => other !== user);
        user.sessions = [];
      }
    }
  }

  const shares = Array.from({ length: clients }, (_, i) =>
    users.filter((_, j) => j % clients === i),
  );
  await Promise.all(shares.filter((own) => own.length > 0).map(client));
  return { counts, failures, revocationTimes };
}

/**
 * After the run: every session the soak still holds must still work (`me`, then `reissue`, the
 * lineage rotating once more), and each account's `mySessions` must list exactly those. Returns
 * how many sessions were checked and the ones that failed.
 */
export async function checkHeldSessions(url, users) {
  let checked = 0;
  const lost = [];
  for (const user of users.filter((candidate) => candidate.sessions.length > 0)) {
    try {
      for (const session of user.sessions) {
        checked++;
        await api.me(url, user, session, randomAddress());
        Object.assign(session, await api.reissue(url, user, session, randomAddress()));
      }
      await api.mySessions(url, user, user.sessions[0], randomAddress());
    } catch (error) {
      if (!(error instanceof WrongAnswer)) throw error;
      lost.push({ at: new Date().toISOString(), message: error.message, answer: error.answer });
    }
  }
  return { checked, lost };
}

/** The longest gap between revocations, counting the run's start and end. */
export function longestRevocationGap(times, startedAt, endedAt) {
  const all = [startedAt, ...times, endedAt];
  let longest = 0;
  for (let i = 1; i < all.length; i++) longest = Math.max(longest, all[i] - all[i - 1]);
  return longest;
}
