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
    // Type-aware rules: a promise nobody awaits loses its rejection; a switch over a union must handle every member.
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // The numerical core is pure: no I/O, no clock, no ambient randomness, no imports from the rest of the project.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'http', 'crypto'],
              message: 'src/core is pure: no Node built-ins.',
            },
            {
              group: [
                '../../pool/*',
                '../../http/*',
                '../../auth/*',
                '../../observability/*',
                '../../config/*',
                '../pool/*',
                '../http/*',
                '../auth/*',
                '../observability/*',
                '../config/*',
              ],
              message: 'src/core imports nothing else from the project.',
            },
            {
              regex: '^(\\.\\./)+(store|playground|main)/',
              message: 'src/core imports nothing else from the project.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'src/core is deterministic: use the seeded RNG.' },
        { object: 'Date', property: 'now', message: 'src/core has no clock.' },
        { object: 'performance', property: 'now', message: 'src/core has no clock.' },
      ],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'fetch', 'console'],
    },
  },
  // Layers (docs/architecture.md): core <- pool <- http and auth; observability, config and store are leaves that
  // every layer may import and that import nothing above core. Each block names what its folder must not import.
  ...[
    {
      files: ['src/pool/**/*.ts'],
      layers: ['http', 'auth', 'playground', 'main'],
      message: 'src/pool imports only core and the leaves (observability, config, store).',
    },
    {
      files: ['src/auth/**/*.ts'],
      layers: ['http', 'playground', 'main'],
      message: 'src/auth must not import src/http: the HTTP layer imports auth, not the reverse.',
    },
    // The pure core is allowed: a store keeps core types (volatility points), and core has no dependencies of its own.
    {
      files: ['src/observability/**/*.ts', 'src/config/**/*.ts', 'src/store/**/*.ts'],
      layers: ['http', 'auth', 'pool', 'playground', 'main'],
      message: 'observability, config and store are leaves: they import no layer above core.',
    },
  ].map(({ files, layers, message }) => ({
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: `^(\\.\\./)+(${layers.join('|')})/`, message }] }],
    },
  })),
  {
    files: ['scripts/**/*.mjs', 'test/**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // CommonJS modules (src/pool/ts-worker-loader.cjs) load with require().
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Workspace packages compile into their own dist/ (packages/core: npm run build, npm pack).
  { ignores: ['packages/*/dist/**'] },
);
