// ESLint (flat config) for the whole tree: `npm run lint`. Type-aware rules from typescript-eslint
// read the TypeScript project (tsconfig.json covers src/, test/ and bench/); formatting is
// Prettier's business, so eslint-config-prettier comes last and switches off every style rule.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // openapi/: generated from the code (npm run openapi:export, openapi:types) and checked to be
    // current by npm run lint:openapi; its style is the generator's.
    ignores: [
      'dist/',
      'node_modules/',
      'data/',
      'coverage/',
      'bench/results/',
      'console/dist/',
      'openapi/',
    ],
  },

  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Already in recommendedTypeChecked; named here because they are the point of issue 10.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Off: every async function here without an await implements a Promise-returning interface
      // (query handlers, EventStore, close/dispose); `async` turns a synchronous throw into a
      // rejection, which the rule's fix (drop async, return Promise.resolve) would lose.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      // `const { d: _d, ...publicJwk } = jwk` drops a field on purpose: a leading underscore says so.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  // Specs read parsed JSON (response bodies: ParsedJson in test/support/parsed-json.ts) and use
  // jest's asymmetric matchers (expect.objectContaining() and the like are typed `any`), and check
  // all of it with expect(): the assertions are the check. So the no-unsafe-* rules are off in
  // *.spec.ts only; production code, test support code and bench stay strict, and an explicit
  // `any` still needs a reason everywhere.
  {
    files: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },

  // The few plain JavaScript files (CommonJS scripts, jest's config, this file) are outside the
  // TypeScript project: no type information, so no type-aware rules; Node's globals declared.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },

  prettier,
);
