// Limit line (1): a bare node:http server that reads the POST and answers a constant body shaped
// like `me`'s answer. No GraphQL, no auth: what this machine and the load generator allow for
// one HTTP request and response on loopback. Context only, no target.

import { createServer } from 'node:http';
import { readPort } from './peer-schema.mjs';

const BODY = JSON.stringify({ data: { me: { id: '5d7c2b4e-0000-4000-8000-000000000000' } } });
const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(Buffer.byteLength(BODY)),
};

createServer((req, res) => {
  // Drain the request body first, as every other subject must before it can answer.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, HEADERS);
    res.end(BODY);
  });
}).listen(readPort(), '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
