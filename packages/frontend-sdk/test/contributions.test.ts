/** `contributeContext`: the app's own members on an extension's `ctx`, per load, gated, disposed once. */
import type { SpindleFrontendContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContributeContext, ContributionTarget } from '../src/index.ts';
import { bundle, flush, setupHost } from './helpers.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function shell() {
  const targets: ContributionTarget[] = [];
  const disposed: string[] = [];
  const drawer: string[] = [];
  const contributeContext: ContributeContext = (target) => {
    targets.push(target);
    const made = targets.length;
    return {
      members: {
        ui: {
          registerDrawerTab: (options: { title: string }) => {
            drawer.push(`${target.extensionId}:${options.title}`);
            return { destroy() {} };
          },
        },
        toast: { info: (text: string) => drawer.push(`toast:${text}`) },
        chats: { list: () => ['c1'] },
        // Clashes with the SDK's own member: refused.
        sendToBackend: () => 'hijacked',
      },
      permissions: { chats: 'chats' },
      dispose: () => disposed.push(`${target.extensionId}#${made}`),
    };
  };
  return { targets, disposed, drawer, contributeContext };
}

describe('frontend contributions', () => {
  it('adds the app members to ctx, never replacing the SDK’s, and reports the clash', async () => {
    const app = shell();
    let ctx: SpindleFrontendContext | undefined;
    const { host } = setupHost({
      contributeContext: app.contributeContext,
      modules: {
        'mem://shelled': {
          setup: (c: SpindleFrontendContext) => {
            ctx = c;
            (
              c as unknown as { ui: { registerDrawerTab(o: object): unknown } }
            ).ui.registerDrawerTab({
              title: 'Notes',
            });
          },
        },
      },
    });
    const errors: unknown[] = [];
    host.events.on('error', (e) => errors.push(e));
    const grantedPermissions = ['chats'];
    await host.load({ ...bundle('shelled'), grantedPermissions }).settled;
    expect(app.drawer).toEqual(['shelled:Notes']);
    expect(app.targets).toHaveLength(1);
    expect(app.targets[0]).toMatchObject({ extensionId: 'shelled', grantedPermissions: ['chats'] });
    const members = ctx as unknown as Record<string, { list?: () => unknown }>;
    expect(members.chats?.list?.()).toEqual(['c1']);
    expect(typeof ctx?.sendToBackend).toBe('function');
    expect(ctx?.sendToBackend({})).not.toBe('hijacked');
    expect(Object.isFrozen(ctx)).toBe(true);
    await flush();
    expect(JSON.stringify(errors)).toContain('ctx.sendToBackend belongs to the SDK');
    host.close();
  });

  it('a gated member without its grant is present but throws PERMISSION_DENIED', async () => {
    const app = shell();
    let ctx: Record<string, { list: () => unknown }> | undefined;
    const { host } = setupHost({
      contributeContext: app.contributeContext,
      modules: {
        'mem://ungranted': {
          setup: (c: unknown) => {
            ctx = c as typeof ctx;
          },
        },
      },
    });
    await host.load(bundle('ungranted')).settled;
    expect(ctx?.chats).toBeDefined();
    expect(() => ctx?.chats?.list()).toThrow(
      /^PERMISSION_DENIED: ctx.chats needs the "chats" permission/,
    );
    try {
      ctx?.chats?.list();
    } catch (error) {
      expect((error as { code?: string }).code).toBe('PERMISSION_DENIED');
    }
    host.close();
  });

  it('each load gets its own contribution, disposed exactly once on reload and on unload', async () => {
    const app = shell();
    const { host } = setupHost({
      contributeContext: app.contributeContext,
      modules: { 'mem://twice': { setup: () => {} } },
    });
    await host.load(bundle('twice')).settled;
    vi.advanceTimersByTime(5_000);
    await host.reload('twice')?.settled;
    expect(app.targets).toHaveLength(2);
    expect(app.disposed).toEqual(['twice#1']);
    host.unload('twice');
    host.unload('twice');
    expect(app.disposed).toEqual(['twice#1', 'twice#2']);
    host.close();
    expect(app.disposed).toHaveLength(2);
  });

  it('a failed setup still disposes its contribution once', async () => {
    const app = shell();
    const { host } = setupHost({
      contributeContext: app.contributeContext,
      modules: {
        'mem://broken': {
          setup: () => {
            throw new Error('boom');
          },
        },
      },
    });
    const settled = await host.load(bundle('broken')).settled;
    expect(settled.state).toBe('error');
    host.unload('broken');
    expect(app.disposed).toHaveLength(1);
    host.close();
  });
});
