import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';

// The architecture's boundaries are checks that can fail (`npm run lint` runs both tools). A rule that
// matches no folder protects nothing, so each one is proven here on a deliberate violation.
const ROOT = path.resolve(import.meta.dirname, '..');
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const run = promisify(execFile);

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Writes a small src/ tree into a fresh folder and runs dependency-cruiser with finflow's own rules on it. */
async function violationsIn(files: Record<string, string>): Promise<Violation[]> {
  const base = process.env.FINFLOW_TEST_TMP ?? path.join(ROOT, '.test-tmp');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'arch-'));
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext' } }));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const config = path.join(ROOT, '.dependency-cruiser.cjs');
  const result = await run(process.execPath, [DEPCRUISE, 'src', '--config', config, '--output-type', 'json'], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const report = JSON.parse(result.stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

describe('architecture boundaries', () => {
  test('every dependency rule fires on a deliberate violation', async () => {
    const violations = await violationsIn({
      // The engine importing a domain: the original gap (the old rule named a folder that did not exist).
      'src/engine/engine.ts': "import { post } from '../domains/ledger/journal.js';\nexport const x = post;\n",
      'src/domains/ledger/journal.ts':
        "import { open } from '../receivables/loans.js';\nimport { h } from '../../testing/harness.js';\nexport const post = [open, h];\n",
      'src/domains/receivables/loans.ts': 'export const open = 1;\n',
      'src/testing/harness.ts': 'export const h = 1;\n',
      'src/core/money.ts': "import { c } from '../storage/db.js';\nexport const m = c;\n",
      'src/storage/db.ts': 'export const c = 1;\n',
      'src/domains/credit/decide.ts':
        "import { q } from '../../engine/runtime/queries.js';\nimport { s } from '../../server.js';\nexport const d = [q, s];\n",
      'src/engine/runtime/queries.ts': 'export const q = 1;\n',
      'src/server.ts': 'export const s = 1;\n',
      'src/api/routes.ts': "import { d } from '../domains/credit/decide.js';\nexport const r = d;\n",
      'src/domains/collections/cases.ts': "import { p } from './plans.js';\nexport const cases = () => p;\n",
      'src/domains/collections/plans.ts': "import { cases } from './cases.js';\nexport const p = () => cases;\n",
      // A cycle of type-only imports counts too.
      'src/domains/receivables/plan.ts': "import type { Loan } from './loan.js';\nexport type Plan = Loan | 1;\n",
      'src/domains/receivables/loan.ts': "import type { Plan } from './plan.js';\nexport type Loan = Plan | 2;\n",
      // An adapter reaching into a domain.
      'src/adapters/iso20022/writer.ts': "import { d } from '../../domains/credit/decide.js';\nexport const w = d;\n",
      // Appending to the audit chain past the units of work.
      'src/auth/keys.ts':
        "import { appendAudit } from '../storage/audit/audit-append.js';\nexport const k = appendAudit;\n",
      'src/storage/audit/audit-append.ts': 'export const appendAudit = 1;\n',
    });
    const fired = (rule: string, from: string, to: string) =>
      violations.some((v) => v.rule.name === rule && v.from === from && v.to === to);
    assert.ok(fired('lower-layers-import-no-higher', 'src/engine/engine.ts', 'src/domains/ledger/journal.ts'));
    assert.ok(fired('domain-direction-ledger', 'src/domains/ledger/journal.ts', 'src/domains/receivables/loans.ts'));
    assert.ok(fired('test-code-stays-out-of-the-product', 'src/domains/ledger/journal.ts', 'src/testing/harness.ts'));
    assert.ok(fired('core-stands-alone', 'src/core/money.ts', 'src/storage/db.ts'));
    assert.ok(fired('adapters-stand-alone', 'src/adapters/iso20022/writer.ts', 'src/domains/credit/decide.ts'));
    assert.ok(fired('domains-use-the-engine-facade', 'src/domains/credit/decide.ts', 'src/engine/runtime/queries.ts'));
    assert.ok(fired('domains-not-composition', 'src/domains/credit/decide.ts', 'src/server.ts'));
    assert.ok(fired('api-imports-no-domain', 'src/api/routes.ts', 'src/domains/credit/decide.ts'));
    assert.ok(fired('audit-append-through-a-unit', 'src/auth/keys.ts', 'src/storage/audit/audit-append.ts'));
    assert.ok(
      violations.some((v) => v.rule.name === 'no-import-cycle' && v.from === 'src/domains/collections/cases.ts'),
    );
    assert.ok(
      violations.some((v) => v.rule.name === 'no-import-cycle' && v.from === 'src/domains/receivables/loan.ts'),
    );
  });

  test('allowed directions pass', async () => {
    const violations = await violationsIn({
      'src/domains/receivables/loans.ts':
        "import { c } from '../customers/customers.js';\nimport type { Plan } from './plans.js';\nexport const open: Plan = c;\n",
      'src/domains/receivables/plans.ts': 'export type Plan = 1;\n',
      'src/domains/customers/customers.ts': 'export const c = 1;\n',
      'src/domains/credit/decide.ts': "import { engine } from '../../engine/index.js';\nexport const d = engine;\n",
      'src/engine/index.ts': 'export const engine = 1;\n',
      // The units of work and the engine append to the audit chain.
      'src/domains/unit-of-work.ts':
        "import { appendAudit } from '../storage/audit/audit-append.js';\nexport const u = appendAudit;\n",
      'src/engine/deploy.ts':
        "import { appendAudit } from '../storage/audit/audit-append.js';\nexport const d = appendAudit;\n",
      'src/storage/audit/audit-append.ts': 'export const appendAudit = 1;\n',
    });
    assert.deepEqual(violations, []);
  });

  test('lint rejects an engine file that imports a domain', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const file = path.join(ROOT, 'src/engine/engine.ts');
    const text = "import '../domains/ledger/ledger-module.js';\nexport {};\n";
    const [result] = await eslint.lintText(text, { filePath: file });
    assert.ok(
      result?.messages.some((m) => m.ruleId === 'no-restricted-imports'),
      JSON.stringify(result?.messages.map((m) => m.ruleId)),
    );
  });
});
