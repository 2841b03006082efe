// Copies the non-TypeScript files the runtime reads (SQL migrations) from src/ to dist/.
import { cpSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
cpSync(path.join(root, 'src/storage/migrations'), path.join(root, 'dist/storage/migrations'), { recursive: true });
