// Limit line (2): graphql-js on node:http with parse and validate cached by query string, so a
// request costs JSON.parse of the body, one `execute` on the same `User`/`me` schema shape as
// bare yoga, and JSON.stringify of the result. No auth, no plugins: the floor under any
// graphql-js server on this machine. Context only, no target.
//
// `graphql` is loaded from the root's node_modules (the copy yoga-bare and the service use);
// bench/node_modules has its own for Apollo, which a plain import here would pick up instead.

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { PEER_TYPE_DEFS, readPort } from './peer-schema.mjs';

const rootRequire = createRequire(new URL('../../package.json', import.meta.url));
const { buildSchema, execute, parse, validate } = await import(
  pathToFileURL(rootRequire.resolve('graphql')).href
);

const user = {
  id: '5d7c2b4e-0000-4000-8000-000000000000',
  email: 'bench@example.com',
  name: null,
  roles: ['USER'],
  createdAt: 0,
};
const schema = buildSchema(PEER_TYPE_DEFS);
const rootValue = { me: () => user, users: () => [user] };

/** query string -> { document } or { errors }: parse and validate once per distinct query. */
const cache = new Map();
function prepare(query) {
  let entry = cache.get(query);
  if (entry === undefined) {
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      entry = errors.length > 0 ? { errors } : { document };
    } catch (error) {
      entry = { errors: [error] };
    }
    if (cache.size < 1000) cache.set(query, entry);
  }
  return entry;
}

function answer(res, status, result) {
  const body = JSON.stringify(result);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let params;
    try {
      params = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      answer(res, 400, { errors: [{ message: 'Body is not JSON' }] });
      return;
    }
    const prepared = prepare(String(params?.query ?? ''));
    if (prepared.errors) {
      answer(res, 400, { errors: prepared.errors.map((error) => ({ message: error.message })) });
      return;
    }
    const result = execute({
      schema,
      document: prepared.document,
      rootValue,
      variableValues: params.variables,
      operationName: params.operationName,
    });
    if (typeof result.then === 'function') result.then((r) => answer(res, 200, r));
    else answer(res, 200, result);
  });
}).listen(readPort(), '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
