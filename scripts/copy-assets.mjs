// Copies the non-TypeScript files the runtime reads (SQL migrations, shipped workflows) from src/ to dist/.
import { cpSync as copy, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
// Each folder replaces the last build's copy: a file renamed or removed in src/ (a migration
// renumbered) must not linger in dist/, where the migrator would still find it.
function cpSync(from, to, options) {
  rmSync(to, { recursive: true, force: true });
  copy(from, to, options);
}
cpSync(path.join(root, 'src/storage/migrations'), path.join(root, 'dist/storage/migrations'), { recursive: true });
// The workflows domains ship (deployed at start when absent).
cpSync(path.join(root, 'src/domains/credit/workflow'), path.join(root, 'dist/domains/credit/workflow'), {
  recursive: true,
});
cpSync(path.join(root, 'src/domains/collections/workflow'), path.join(root, 'dist/domains/collections/workflow'), {
  recursive: true,
});
cpSync(path.join(root, 'src/domains/payments/workflow'), path.join(root, 'dist/domains/payments/workflow'), {
  recursive: true,
});
cpSync(
  path.join(root, 'src/domains/treasury/reconciliation/workflow'),
  path.join(root, 'dist/domains/treasury/reconciliation/workflow'),
  { recursive: true },
);
// The ISO 20022 schemas the payments adapter validates generated and received files against at run time.
cpSync(path.join(root, 'src/adapters/iso20022/xsd'), path.join(root, 'dist/adapters/iso20022/xsd'), {
  recursive: true,
});
