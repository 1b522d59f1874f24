/**
 * Requests to the hostile fixtures as a client makes them: `{ op, id, …extra }` to an extension,
 * then the reply with the same `id`; and the check that the well-behaved `echo` extension still
 * answers and still reaches its storage while an attack runs.
 */
import { expect } from 'bun:test';
import type { WireClient } from './client.ts';

let lastId = 0;

/** A request id no other request of this test process has used. */
export function nextRequestId(): number {
  lastId += 1;
  return lastId;
}

/** Asks `extensionId` for `{ op, ...extra }` and waits for the reply with the same id. */
export async function ask(
  client: WireClient,
  extensionId: string,
  op: string,
  extra: Record<string, unknown> = {},
  timeoutMs = 15_000,
): Promise<Record<string, unknown>> {
  const id = nextRequestId();
  client.send(extensionId, { op, id, ...extra });
  await client.until(
    () => client.replies(extensionId, (p) => p.id === id).length > 0,
    `${extensionId} to answer ${op}`,
    timeoutMs,
  );
  return client.replies(extensionId, (p) => p.id === id)[0] as Record<string, unknown>;
}

/** The well-behaved extension still answers and still reaches its storage. */
export async function othersStillWork(client: WireClient): Promise<void> {
  expect(await ask(client, 'echo', 'echo', { payload: 'still here' })).toMatchObject({
    payload: 'still here',
  });
  expect(await ask(client, 'echo', 'storage')).toMatchObject({ ok: true });
}
