import { defineConfig } from 'vitest/config';

/**
 * Vitest projects: browser packages run under happy-dom, everything else under node; `e2e`
 * drives real processes and Chromium; `consumers` installs the packed packages with npm.
 * Tests that need the Bun runtime itself are named `*.bun.test.ts` and run by `bun test`
 * (see the root `test` script), so vitest skips them here.
 */
const bunOnly = '**/*.bun.test.ts';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'browser',
          environment: 'happy-dom',
          include: ['packages/frontend-sdk/**/*.test.ts', 'packages/host-bridge/**/*.test.ts'],
          exclude: ['**/node_modules/**', bunOnly],
        },
      },
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'packages/types/**/*.test.ts',
            'packages/bun-host/**/*.test.ts',
            'packages/create-spindle-extension/**/*.test.ts',
            'bench/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', bunOnly],
          typecheck: {
            enabled: true,
            include: ['packages/**/*.test-d.ts'],
            tsconfig: './packages/types/tsconfig.json',
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', bunOnly, 'test/consumers/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The packages as npm users get them: one install of the packed tarballs, outside the
          // workspace, shared by every file (test/consumers/setup.ts).
          name: 'consumers',
          environment: 'node',
          include: ['test/consumers/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/consumers/app/**'],
          globalSetup: ['test/consumers/setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
