import { builder } from './builder.js';
import './date-time.js';
import './json.js';
import './user.js';
import './auth-payload.js';
import './credentials.js';
import './session.js';
import './sessions.js';
import './password.js';
import './audit.js';
import './account.js';
import './mfa.js';
import './passkeys.js';
import './session-ended.js';

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/**
 * The whole API as an Apollo Federation v2 subgraph (`_service`, `_entities`, `@link`), sorted so
 * that the printed schema diffs cleanly. v2.5 is the first version with the auth directives.
 */
export const schema = builder.toSubGraphSchema({
  linkUrl: 'https://specs.apollo.dev/federation/v2.5',
});
