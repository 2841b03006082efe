import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

/**
 * Test code stays out of the package. tsconfig.build.json excludes src/testing/**, but an exclude
 * only drops a file from the roots: a production file that imports one pulls it back into the
 * program, and `npm run build` emits it into dist/. So this builds the program `npm run build`
 * builds (without emitting) and asserts that no file of it is under src/testing/, naming the
 * production files whose imports lead there.
 */

const root = path.resolve(import.meta.dirname, '..', '..');
const testing = path.join(root, 'src', 'testing') + path.sep;

function buildProgram(): ts.Program {
  const configPath = path.join(root, 'tsconfig.build.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  assert.ok(parsed, 'tsconfig.build.json parses');
  return ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
}

/** The program's files outside src/testing that import (statically or dynamically) into it. */
function importersOfTesting(program: ts.Program): string[] {
  const found: string[] = [];
  for (const file of program.getSourceFiles()) {
    const name = path.resolve(file.fileName);
    if (name.startsWith(testing) || !name.startsWith(path.join(root, 'src') + path.sep)) continue;
    const { importedFiles } = ts.preProcessFile(file.text, true, true);
    for (const imported of importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const target = path.resolve(path.dirname(name), imported.fileName);
      if (target.startsWith(testing)) found.push(`${path.relative(root, name)} → ${imported.fileName}`);
    }
  }
  return found;
}

test('the production build (tsconfig.build.json) contains nothing from src/testing/', () => {
  const program = buildProgram();
  const files = program.getSourceFiles().map((f) => path.resolve(f.fileName));
  assert.ok(
    files.some((f) => f.endsWith(path.join('src', 'server.ts'))),
    'the build program includes src/server.ts (sanity check of the check)',
  );
  assert.deepEqual(importersOfTesting(program), [], 'production files importing from src/testing/');
  const leaked = files.filter((f) => f.startsWith(testing)).map((f) => path.relative(root, f));
  assert.deepEqual(leaked, [], 'files under src/testing/ that npm run build would emit into dist/');
});
