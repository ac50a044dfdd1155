// Lint rules: typescript-eslint's recommended set, plus the project's own bans.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'tmp/**', 'bench/results.json', 'dashboards/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', performance: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', SharedArrayBuffer: 'readonly', Atomics: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly', clearImmediate: 'readonly' } },
    rules: {
      // reproducibility: every random number comes from the seeded Rng
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'use the seeded Rng (src/util/random.ts)' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'prefer-const': ['error', { destructuring: 'all' }],
      'one-var': 'off',
    },
  },
  {
    // the dashboard's ES modules run in the browser
    files: ['dashboards/web/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', location: 'readonly', localStorage: 'readonly', sessionStorage: 'readonly', matchMedia: 'readonly', getComputedStyle: 'readonly', requestAnimationFrame: 'readonly', devicePixelRatio: 'readonly', ResizeObserver: 'readonly', WebSocket: 'readonly', URLSearchParams: 'readonly', Option: 'readonly', fetch: 'readonly' } },
  },
);
