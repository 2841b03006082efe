// Copies the non-TypeScript files the runtime reads (SQL migrations, shipped workflows) from src/ to dist/.
import { cpSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
cpSync(path.join(root, 'src/storage/migrations'), path.join(root, 'dist/storage/migrations'), { recursive: true });
// The workflows domains ship (deployed at start when absent).
cpSync(path.join(root, 'src/credit/workflow'), path.join(root, 'dist/credit/workflow'), { recursive: true });
cpSync(path.join(root, 'src/collections/workflow'), path.join(root, 'dist/collections/workflow'), { recursive: true });
