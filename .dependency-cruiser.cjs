/**
 * The architecture's executable summary, checked by `npm run lint`. When a rule stops you, move
 * the code, not the rule. ARCHITECTURE.md draws the same picture.
 */
/** The modules anyone may import: they import nothing of the project themselves. */
const LEAVES = '^src/(errors|result|clock|duration)[.]ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment:
        'A cycle makes modules impossible to understand, test or move one at a time; type-only imports count, because they tie the designs together just the same.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'auth-is-the-core',
      comment:
        'auth/ holds the rules and defines its ports; adapters plug into it. It imports only itself and the leaf modules, so it is tested with an in-memory store and survives a change of database, framework or transport.',
      severity: 'error',
      from: { path: '^src/auth/' },
      to: { path: '^src/', pathNot: [LEAVES, '^src/auth/'] },
    },
    {
      name: 'auth-knows-no-graphql',
      comment:
        'The GraphQL layer maps auth results to errors and types; auth/ returns plain values, so the same operations serve the CLI and any other transport.',
      severity: 'error',
      from: { path: '^src/auth/' },
      to: {
        path: '(^|/)node_modules/(graphql|graphql-yoga|@pothos/[^/]+|@apollo/[^/]+|@graphql-yoga/[^/]+|@envelop/[^/]+)/',
      },
    },
    {
      name: 'auth-knows-no-adapter-library',
      comment:
        'Drivers and ORMs belong to the adapters that implement the ports (db/, redis/); auth/ must not depend on how things are stored.',
      severity: 'error',
      from: { path: '^src/auth/' },
      to: {
        path: '(^|/)node_modules/(drizzle-orm|better-sqlite3|pg|ioredis|prom-client|nodemailer)/',
      },
    },
    {
      name: 'rooms-serve-operations',
      comment:
        "auth/'s top level is the list of operations; the rooms (keys/, tokens/, sessions/…) are what they are built from. A room that called an operation would make the operations depend on each other through the back door.",
      severity: 'error',
      from: { path: '^src/auth/[^/]+/' },
      to: { path: '^src/auth/[^/]+[.]ts$', pathNot: '^src/auth/deps[.]ts$' },
    },
    {
      name: 'api-calls-the-service',
      comment:
        'The API layer calls auth through service.ts, the one entry point, so every operation gets its dependencies and its token listener the same way. It may still name any auth type, and read the constants of the records it exposes (ports/).',
      severity: 'error',
      from: { path: '^src/(schema|http)/' },
      to: {
        path: '^src/auth/',
        pathNot: ['^src/auth/service[.]ts$', '^src/auth/ports/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'adapters-serve-no-api',
      comment:
        'db/ and redis/ implement auth ports; they know nothing about the API that exposes auth, so they can be reused by the CLI and tested without a server.',
      severity: 'error',
      from: { path: '^src/(db|redis)/' },
      to: { path: '^src/(schema|http|server[.]ts)' },
    },
    {
      name: 'adapters-do-not-wire',
      comment:
        'Only main.ts and cli/ choose and connect adapters. Anywhere else, importing an adapter would hide a wiring decision: the store, Redis or the key material of the secret box would be fixed where a port should be passed in.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: ['^src/main[.]ts$', '^src/cli/', '^src/db/', '^src/redis/', '^src/secrets/'],
      },
      to: { path: '^src/(db|redis|secrets)/' },
    },
    {
      name: 'adapters-stand-alone',
      comment:
        'The database, Redis and secret-key adapters each implement ports of auth/ and know nothing of each other, so any of them can be replaced or left out.',
      severity: 'error',
      from: { path: '^src/(db|redis|secrets)/' },
      to: { path: '^src/(db|redis|secrets)/', pathNot: '^src/$1/' },
    },
    {
      name: 'config-is-read-once',
      comment:
        'config/ reads the environment once, in the wiring points; the core and the schema receive the values they need, so no setting is read twice or in two ways.',
      severity: 'error',
      from: { path: '^src/(auth|schema)/' },
      to: { path: '^src/config([.]ts|/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
