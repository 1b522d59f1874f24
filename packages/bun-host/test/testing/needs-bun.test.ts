/**
 * Under vitest on Node (no Bun runtime) the kit refuses to start with an error that says how to
 * run it, instead of failing somewhere inside the host.
 */
import { expect, it } from 'vitest';
import { createBackendTestHost } from '../../src/testing/index.ts';

it('without Bun: INVALID_OPTIONS naming bun test and bun --bun vitest run', async () => {
  expect(typeof (globalThis as { Bun?: unknown }).Bun).toBe('undefined');
  await expect(createBackendTestHost({ backend: '/nowhere.ts' })).rejects.toMatchObject({
    code: 'INVALID_OPTIONS',
    message:
      '[spindle] createBackendTestHost needs the Bun runtime: run the tests with `bun test`, or vitest on Bun with `bun --bun vitest run`',
  });
});
