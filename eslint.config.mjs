import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Type-aware lint: the type-checked preset adds the rules that catch bugs rather than style —
// promises nobody awaits or catches (no-floating-promises, no-misused-promises), `any` leaking
// out of JSON and libraries (no-unsafe-*), switches that miss a case of a union
// (switch-exhaustiveness-check), and guards the types prove can never fire
// (no-unnecessary-condition). `curly` keeps a one-line `if` from swallowing the next statement
// when someone adds a line under it.
export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.bench-build/**',
      'jest.config.js',
      'jest.faults.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      // A default branch does not count: a union that grows must be handled where it is switched.
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unnecessary-condition': 'error',
      curly: ['error', 'multi-line'],
      // Fastify hooks and route handlers are async by contract (a returned promise is how they
      // answer); one without an await is no bug, and rewriting it sync changes how it answers.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests and benchmarks read JSON bodies (HTTP answers, Redis hashes, CLI output) and assert
    // on them; typing every such read would add casts, not safety. Only the no-unsafe-* family
    // is relaxed here: floating promises and the rest stay errors.
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The config itself is plain JavaScript outside every tsconfig.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
