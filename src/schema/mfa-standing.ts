import type { MfaStanding } from '../auth/ports/factor-store.js';
import type { GraphQLContext } from './context.js';

const standings = new WeakMap<GraphQLContext, Map<string, Promise<MfaStanding>>>();

/** A user's second-factor standing, read once per request however many fields ask. */
export function loadMfaStanding(ctx: GraphQLContext, userId: string): Promise<MfaStanding> {
  let byUser = standings.get(ctx);
  if (byUser === undefined) {
    byUser = new Map();
    standings.set(ctx, byUser);
  }
  let standing = byUser.get(userId);
  if (standing === undefined) {
    standing = ctx.auth.mfaStanding(userId);
    byUser.set(userId, standing);
  }
  return standing;
}
