/**
 * The frontend test kit records what `setup` itself sends: those messages go out while the
 * bundle mounts (held until `extension_mounted`), before `createTestContext` resolves, and
 * `backend.messages` holds them first, in order.
 */
import { afterEach, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../src/testing/index.ts';

let t: TestContext | undefined;
afterEach(() => {
  t?.dispose();
  t = undefined;
});

it('backend.messages starts with what setup sent', async () => {
  t = await createTestContext({
    setup(ctx) {
      ctx.sendToBackend({ type: 'hello' });
      ctx.sendToBackend({ type: 'get' });
      ctx.onBackendMessage((payload) => ctx.sendToBackend({ echo: payload }));
    },
  });
  expect(t.backend.messages).toEqual([{ type: 'hello' }, { type: 'get' }]);
  t.backend.send('ping');
  expect(t.backend.messages).toEqual([{ type: 'hello' }, { type: 'get' }, { echo: 'ping' }]);
});
