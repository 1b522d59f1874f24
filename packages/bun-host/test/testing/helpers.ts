/** Shared pieces of the test kit's own tests (run by `bun test`). */
import { fileURLToPath } from 'node:url';
import type { BackendTestHost } from '../../src/testing/index.ts';

/** The probe extension (`fixtures/probe`): sources, a module of its own, a backend process. */
export const PROBE = fileURLToPath(new URL('./fixtures/probe', import.meta.url));
/** A one-file backend half. */
export const ECHO_BACKEND = new URL('./fixtures/echo-backend.ts', import.meta.url);
/** A backend half that throws while it is imported. */
export const BROKEN_BACKEND = new URL('./fixtures/broken-backend.ts', import.meta.url);

let nextId = 0;

/** Sends `{ id, cmd, ...extra }` from a tab of `userId` and resolves with the probe's answer. */
export async function ask(
  t: BackendTestHost,
  cmd: string,
  extra: Record<string, unknown> = {},
  userId?: string,
): Promise<unknown> {
  nextId += 1;
  const id = nextId;
  t.frontend.send({ id, cmd, ...extra }, userId === undefined ? {} : { userId });
  const answer = await t.frontend.waitForMessage((m) => (m.payload as { id?: number }).id === id);
  const { result, error } = answer.payload as { result?: unknown; error?: { message: string } };
  if (error) throw new Error(`${cmd} failed: ${error.message}`);
  return result;
}

export { descendants, isAlive } from '../runtime/helpers.ts';
