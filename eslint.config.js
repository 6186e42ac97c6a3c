import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'public/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // The numerical core is pure: no I/O, no clock, no ambient randomness, no imports from the rest of the project.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'http', 'crypto'], message: 'src/core is pure: no Node built-ins.' },
        { group: ['../../pool/*', '../../http/*', '../../auth/*', '../../observability/*', '../../config/*', '../pool/*', '../http/*', '../auth/*', '../observability/*', '../config/*'], message: 'src/core imports nothing else from the project.' },
      ] }],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'src/core is deterministic: use the seeded RNG.' },
        { object: 'Date', property: 'now', message: 'src/core has no clock.' },
        { object: 'performance', property: 'now', message: 'src/core has no clock.' },
      ],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'fetch', 'console'],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'test/**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  // Workspace packages compile into their own dist/ (packages/core: npm run build, npm pack).
  { ignores: ['packages/*/dist/**'] },
);
