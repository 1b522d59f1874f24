/**
 * Health, readiness and the admin API of a real host (docs/operations.md): on its own server and
 * mounted on an app's server under a base path; readiness during a drain, and the close reason
 * sessions get at its end.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { WIRE_CLOSE_CODES } from '@spindle/types';
import { closeOpsHosts, startOpsHost } from './ops-host.ts';

afterEach(closeOpsHosts);

const post = (url: string, token?: string) =>
  fetch(url, {
    method: 'POST',
    ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
  });

describe('health and readiness', () => {
  test('healthz is public and says only ok; readyz turns 503 while draining; sessions get the reason', async () => {
    const t = await startOpsHost('process', { enable: ['sleeper'] });
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${t.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const client = await t.connect(t.tokens.user);
    await t.host.spawnProcess('sleeper', { entry: 'dist/job.js', payload: { ms: 60_000 } });
    const draining = t.host.drain({ deadlineMs: 1500 });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'draining' });
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    await draining;
    expect(await client.client.closed).toEqual({
      code: WIRE_CLOSE_CODES.HOST_SHUTDOWN,
      reason: 'the host is shutting down for maintenance',
    });
  });

  test('mounted on the app server: the routes sit under the base path, the app keeps the rest', async () => {
    const t = await startOpsHost('worker', { enable: ['probe'] }, {}, { basePath: '/spindle' });
    expect(t.url).toEndWith('/spindle');
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${t.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const metrics = await fetch(`${t.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('spindle_runtimes{state="running"} 1');
    const root = t.url.replace('/spindle', '');
    expect(await (await fetch(`${root}/healthz`)).text()).toBe('the app');
    const list = await fetch(`${t.url}/api/admin/extensions`, {
      headers: { Authorization: `Bearer ${t.tokens.admin}` },
    });
    expect(list.status).toBe(200);
  });
});

describe('admin API', () => {
  test('admin tokens only; per-extension actions; typed errors with their status', async () => {
    const t = await startOpsHost('worker', {
      enable: ['probe', 'sleeper'],
      activation: { maxActiveRuntimes: 1, capacityWaitMs: 200 },
    });
    const base = `${t.url}/api/admin/extensions`;
    expect((await fetch(base)).status).toBe(401);
    expect(
      (await fetch(base, { headers: { Authorization: `Bearer ${t.tokens.user}` } })).status,
    ).toBe(403);
    expect((await post(`${base}/probe/disable`, t.tokens.user)).status).toBe(403);
    const list = (await (
      await fetch(base, { headers: { Authorization: `Bearer ${t.tokens.admin}` } })
    ).json()) as Array<{
      identifier: string;
      state: string;
      version?: string;
      activation?: unknown;
    }>;
    expect(list.find((e) => e.identifier === 'probe')).toMatchObject({
      state: 'running',
      version: '1.0.0',
      activation: { policy: 'eager' },
    });
    expect(list.find((e) => e.identifier === 'sleeper')?.state).toBe('hibernated');

    const act = async (id: string, action: string) => {
      const response = await post(`${base}/${id}/${action}`, t.tokens.admin);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    // The probe holds the only slot and is not idle (it subscribes to an app event).
    expect(await act('sleeper', 'wake')).toMatchObject({
      status: 503,
      body: { code: 'CAPACITY_EXCEEDED' },
    });
    expect(await act('probe', 'hibernate')).toMatchObject({
      status: 200,
      body: { state: 'hibernated', activation: { lastExitReason: 'hibernated' } },
    });
    expect(await act('sleeper', 'wake')).toMatchObject({ status: 200, body: { state: 'running' } });
    expect(await act('sleeper', 'restart')).toMatchObject({
      status: 200,
      body: { state: 'running' },
    });
    // A reloaded lazy extension is enabled as its policy says: hibernated until its next need.
    expect(await act('sleeper', 'reload')).toMatchObject({
      status: 200,
      body: { state: 'hibernated' },
    });
    expect(await act('sleeper', 'disable')).toMatchObject({
      status: 200,
      body: { state: 'disabled' },
    });
    expect(await act('sleeper', 'enable')).toMatchObject({
      status: 200,
      body: { state: 'hibernated' },
    });
    expect(await act('nope', 'enable')).toMatchObject({
      status: 404,
      body: { code: 'EXTENSION_NOT_FOUND' },
    });
    expect(await act('Bad-Name', 'enable')).toMatchObject({ status: 404 });
    expect(await act('probe', 'explode')).toMatchObject({
      status: 404,
      body: { code: 'INVALID_OPTIONS' },
    });
    const get = await fetch(`${base}/probe/enable`, {
      headers: { Authorization: `Bearer ${t.tokens.admin}` },
    });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});
