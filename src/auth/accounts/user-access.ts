import type { Viewer } from '../sessions/viewer.js';

/**
 * Whom a caller may see, the rule `me` and `users` already follow: themselves with any access
 * token, anyone with the ADMIN role. Entity lookups by other subgraphs obey the same rule.
 */
export function canViewUser(viewer: Viewer, userId: string): boolean {
  return viewer.userId === userId || viewer.roles.includes('ADMIN');
}
