// Type-aware lint: promise misuse and loose equality are bugs in a money system, and the
// no-restricted-imports rules keep the architecture's dependency direction in the editor; the full set
// of layer and cycle rules is .dependency-cruiser.cjs (`npm run check:deps`, part of `npm run lint`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const LOWER_LAYERS_MUST_NOT_IMPORT = [
  {
    group: [
      '**/domains/**',
      '**/api/**',
      '**/auth/**',
      '**/cli/**',
      '**/demo/**',
      '**/testing/**',
      '**/server.js',
      '**/domain-list.js',
    ],
    message:
      'core, config, observability, net, storage and the engine never import domains, API, auth, CLI, demo, tests or the composition root (docs/architecture.md)',
  },
];

export default tseslint.config(
  {
    ignores: [
      'scripts/*.d.mts',
      'dist/**',
      'node_modules/**',
      '.finflow-data/**',
      '.test-tmp/**',
      'eslint.config.js',
      'console/src/api/schema.d.ts',
      'console/vite.config.ts',
      'artifacts/**',
      '.dependency-cruiser.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['scripts/*.mjs', 'scripts/*.ts', 'bench/*.ts'],
          // scripts/ and bench/ sit outside tsconfig.json's src/; each is linted in the default project.
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 32,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**', 'src/storage/**', 'src/engine/**', 'src/config/**', 'src/observability/**', 'src/net/**'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: LOWER_LAYERS_MUST_NOT_IMPORT }] },
  },
  {
    // node:test's describe/test return promises the runner itself awaits.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    files: ['scripts/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
