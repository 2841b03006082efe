// Copies the non-TypeScript files the runtime reads (SQL migrations, shipped workflows) from src/ to dist/.
import { cpSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
cpSync(path.join(root, 'src/storage/migrations'), path.join(root, 'dist/storage/migrations'), { recursive: true });
// The workflows domains ship (deployed at start when absent).
cpSync(path.join(root, 'src/domains/credit/workflow'), path.join(root, 'dist/domains/credit/workflow'), {
  recursive: true,
});
cpSync(path.join(root, 'src/domains/collections/workflow'), path.join(root, 'dist/domains/collections/workflow'), {
  recursive: true,
});
