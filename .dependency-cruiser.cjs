// The architecture's dependency rules as checks that fail (`npm run lint` runs them; docs/architecture.md
// explains the layers). Lower layers never import higher ones; domains reach the engine only through
// its facade and each other only in the direction below; no import cycle anywhere in src/ (type-only ones included).
// src/architecture.test.ts proves each rule fires on a deliberate violation.

/** Which other domains a domain may import (its public files); everything else is forbidden. */
const DOMAIN_MAY_IMPORT = {
  customers: [],
  ledger: [],
  'http-call': [],
  webhooks: [],
  channels: ['customers'],
  receivables: ['customers', 'ledger'],
  sync: ['customers', 'receivables'],
  collections: ['customers', 'receivables', 'ledger', 'channels'],
  credit: ['customers', 'receivables', 'ledger', 'channels', 'collections'],
  payments: ['customers', 'ledger'],
  treasury: ['payments', 'receivables', 'customers', 'ledger'],
};

/** Tests drive a whole server: they may import the composition root and any domain. */
const TEST_FILE = '\\.test\\.ts$';

/** Shared files of the domain layer every domain uses: the contract, the unit of work, the settings store and its table. */
const DOMAIN_SHARED = 'contract\\.ts$|unit-of-work\\.ts$|settings-(store|tables)\\.ts$|step-action\\.ts$';

const domainDirectionRules = Object.entries(DOMAIN_MAY_IMPORT).map(([domain, allowed]) => ({
  name: `domain-direction-${domain}`,
  severity: 'error',
  comment: `${domain} may import only ${allowed.length ? allowed.join(', ') : 'no other domain'} (and the domain contract, unit of work, settings store)`,
  from: { path: `^src/domains/${domain}/`, pathNot: TEST_FILE },
  to: {
    path: '^src/domains/',
    pathNot: [`^src/domains/(${[domain, ...allowed].join('|')})/`, `^src/domains/(${DOMAIN_SHARED})`],
  },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-import-cycle',
      severity: 'error',
      comment:
        'An import cycle ties modules that should stand alone (and at run time makes start-up order fragile); type-only imports count too.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-stands-alone',
      severity: 'error',
      comment: 'core (money, ids, clock, errors, guards) imports nothing else of finflow.',
      from: { path: '^src/core/', pathNot: TEST_FILE },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'adapters-stand-alone',
      severity: 'error',
      comment:
        'Adapters (ISO 20022 messages, later file formats and bank links) are pure edge code: they import only core, so any domain can use them.',
      from: { path: '^src/adapters/', pathNot: TEST_FILE },
      to: { path: '^src/', pathNot: '^src/(core|adapters)/' },
    },
    {
      name: 'lower-layers-import-no-higher',
      severity: 'error',
      comment:
        'core, config, observability, net, storage and the engine never import domains, API, auth, CLI, demo, tests or the composition root.',
      from: { path: '^src/(core|config|observability|net|storage|engine)/', pathNot: TEST_FILE },
      to: { path: '^src/(domains|api|auth|cli|demo|testing)/|^src/(server|domain-list)\\.ts$' },
    },
    {
      name: 'domains-use-the-engine-facade',
      severity: 'error',
      comment: 'Domains reach the engine only through src/engine/index.ts (and the Engine class in engine.ts).',
      from: { path: '^src/domains/', pathNot: TEST_FILE },
      to: { path: '^src/engine/', pathNot: '^src/engine/(index|engine)\\.ts$' },
    },
    ...domainDirectionRules,
    {
      name: 'domains-not-composition',
      severity: 'error',
      comment: 'Domains are composed by the composition root; they never import it, the CLI or the demo.',
      from: { path: '^src/domains/', pathNot: TEST_FILE },
      to: { path: '^src/(cli|demo)/|^src/(server|domain-list)\\.ts$' },
    },
    {
      name: 'api-imports-no-domain',
      severity: 'error',
      comment: 'Domains hand their routes to the API (through the composition root); the API imports no domain.',
      from: { path: '^src/api/' },
      to: { path: '^src/domains/', pathNot: `^src/domains/(${DOMAIN_SHARED})` },
    },
    {
      name: 'audit-append-through-a-unit',
      severity: 'error',
      comment:
        'Only the engine and the audited units of work append to the audit chain; everything else records its audit rows through a unit (storage/audit/audited-unit.ts, domains/unit-of-work.ts), appended once just before commit.',
      from: {
        path: '^src/',
        pathNot: ['^src/storage/audit/', '^src/engine/', '^src/domains/unit-of-work\\.ts$', TEST_FILE],
      },
      to: { path: '^src/storage/audit/audit-append\\.ts$' },
    },
    {
      name: 'test-code-stays-out-of-the-product',
      severity: 'error',
      comment: 'Production code never imports src/testing/ or a test file (they are not in dist/).',
      from: { path: '^src/', pathNot: '\\.test\\.ts$|^src/testing/' },
      to: { path: '^src/testing/|\\.test\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/.*\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
