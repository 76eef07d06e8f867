import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './date-time.js';
import './user.js';
import './auth-payload.js';
import './credentials.js';
import './session.js';
import './sessions.js';
import './password.js';
import './audit.js';

builder.queryType({});
builder.mutationType({});

/** The whole API, sorted so that the printed schema diffs cleanly. */
export const schema = lexicographicSortSchema(builder.toSchema());
