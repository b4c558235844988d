// ESLint for the whole repository (`npm run lint`, scripts/test.sh). Prettier owns layout (line
// length included: printWidth), tsc owns types; these rules catch what neither sees: promises
// nobody waits for, hooks called out of order or with dependencies that go stale, dead code.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/.next/',
      '**/.next-*/',
      '**/.turbo/',
      'apps/web/next-env.d.ts',
      'e2e/test-results/',
      'bench/out/',
      'var/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // tsc's noUnusedLocals/noUnusedParameters already fail the build on these.
      '@typescript-eslint/no-unused-vars': 'off',
      // `catch {}` with a comment saying why is this codebase's way of ignoring an expected error.
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Control characters in regexes are deliberate here (terminal output, C strings, BTF names).
      'no-control-regex': 'off',
      // A `let` read by a closure before its one assignment must stay a `let` (const would throw there).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Type-aware rules: a promise nobody awaits loses its error (an unhandled rejection kills the agent).
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    // Parsed YAML manifests, walked by assertions after kubernetes-models validated them.
    files: ['docker/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Playwright reads which fixtures a fixture needs from its first parameter's pattern, even `{}`.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);
