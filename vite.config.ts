import { defineConfig } from 'vitest/config';

/**
 * Two vitest projects: browser packages run under happy-dom, everything else under node.
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
          exclude: ['**/node_modules/**', bunOnly],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
