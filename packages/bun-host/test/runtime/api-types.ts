/**
 * Compile-time checks of the public API, checked by `tsc -p packages/bun-host` (never run).
 * Each `@ts-expect-error` line must stay an error.
 */
import type { SpindleAPI } from '@spindle/types';
import {
  createSpindleHost,
  type HostExtensionInfo,
  type LaunchOptions,
  type RuntimeExitReason,
  type SpindleHost,
} from '../../src/index.ts';

export async function typeChecks(spindle: SpindleAPI): Promise<void> {
  const host: SpindleHost = await createSpindleHost({ extensionsDir: '/x', dataDir: '/d' });
  const info: HostExtensionInfo | undefined = host.get('demo');
  info?.state satisfies
    | 'disabled'
    | 'starting'
    | 'running'
    | 'stopping'
    | 'restarting'
    | 'failed'
    | 'crashed'
    | 'hibernated'
    | 'error'
    | undefined;
  host.events.on('exit', (event) => {
    event.reason satisfies RuntimeExitReason;
  });
  // @ts-expect-error an unknown runtime mode
  await createSpindleHost({ extensionsDir: '/x', dataDir: '/d', runtimeMode: 'vm' });
  // @ts-expect-error scopes name operator or user scopes only
  await createSpindleHost({ extensionsDir: '/x', dataDir: '/d', scopes: { a: { kind: 'admin' } } });
  // @ts-expect-error enable takes identifiers or 'all'
  await createSpindleHost({ extensionsDir: '/x', dataDir: '/d', enable: 'some' });
  const launch: LaunchOptions = { runtimeUser: 'nobody', allowWeakerSandbox: false, pidsMax: 64 };
  await createSpindleHost({ extensionsDir: '/x', dataDir: '/d', ...launch });
  // @ts-expect-error the runtime user is a name or "uid:gid", not a number
  await createSpindleHost({ extensionsDir: '/x', dataDir: '/d', runtimeUser: 65534 });

  spindle.sendToFrontend({ hi: 1 }, 'alice');
  spindle.sendToFrontend({ hi: 1 }, { frontendSessionId: 's1' });
  // @ts-expect-error a target is a userId or a { userId, frontendSessionId } object
  spindle.sendToFrontend({ hi: 1 }, 42);
  const off: () => void = spindle.onFrontendMessage(
    (_payload, userId: string, sessionId?: string) => {
      void [userId, sessionId];
    },
  );
  off();
  await spindle.userStorage.getJson<{ a: number }>('p.json', { fallback: { a: 1 }, userId: 'u' });
}
