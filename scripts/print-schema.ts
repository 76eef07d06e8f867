import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSubgraphSchema } from '@apollo/subgraph';
import { schema } from '../src/schema/index.js';

// Prints the subgraph SDL built by Pothos (with its @link and federation directives, as a
// gateway composes it) to schema.graphql. With --check it writes nothing and
// exits 1 when the committed file differs, so CI catches a schema change nobody printed.

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const printed = `${printSubgraphSchema(schema)}\n`;

if (process.argv.includes('--check')) {
  const committed = readFileSync(target, 'utf8');
  if (committed !== printed) {
    process.stderr.write(
      'schema.graphql is out of date: run `npm run schema:print` and commit it.\n',
    );
    process.exit(1);
  }
  process.stdout.write('schema.graphql is up to date.\n');
} else {
  writeFileSync(target, printed);
  process.stdout.write(`Wrote ${target}\n`);
}
