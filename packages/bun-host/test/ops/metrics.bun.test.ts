/**
 * `GET /metrics` of a real host in every mode, parsed by a Prometheus text parser
 * (parse-prometheus-text-format) and held to the exposition grammar line by line: runtimes by
 * state, activations and hibernations, exits by reason, restarts, process spawns and ends, service
 * call latency, queue depths, sessions, frames (dropped ones too), per-runtime PSS/USS/CPU (process
 * and sandbox modes), the host's PSS total; loopback or admin only.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { RUNTIME_MODES } from '@spindle/types';
import parsePrometheus, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { closeOpsHosts, startOpsHost } from './ops-host.ts';

afterEach(closeOpsHosts);

/** One sample line of the text format: name, optional labels, a value, no timestamp. */
const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$/;

function parse(text: string): Map<string, PrometheusFamily> {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    expect(line).toMatch(SAMPLE);
  }
  return new Map(parsePrometheus(text).map((family) => [family.name, family]));
}

function value(
  families: Map<string, PrometheusFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const sample = families
    .get(name)
    ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample === undefined ? undefined : Number(sample.value);
}

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('the metrics say what the host did, in the Prometheus text format', async () => {
    const t = await startOpsHost(mode, {
      enable: ['probe', 'sleeper'],
      activation: { idleAfterMs: 60_000 },
    });
    const client = await t.connect(t.tokens.admin);
    await client.mount('sleeper');
    expect(await client.ask('sleeper', { op: 'echo', payload: 1 })).toMatchObject({
      result: { payload: 1 },
    });
    await t.host.hibernate('sleeper');
    await t.host.spawnProcess('sleeper', { entry: 'dist/job.js', payload: { ms: 10 } });
    // One app service call of the probe, then an operator's restart of it.
    t.host.services.register('metered', { ping: () => 'pong' });
    await client.mount('probe');
    expect(
      await client.ask('probe', { op: 'service', ns: 'metered', method: 'ping' }),
    ).toMatchObject({ result: { result: 'pong' } });
    await t.host.restart('probe');
    // The job ends on its own a moment later.
    let text = '';
    for (
      let i = 0;
      i < 200 && !/spindle_process_ends_total\{[^}]*reason="completed"/.test(text);
      i++
    ) {
      text = await (await fetch(`${t.url}/metrics`)).text();
      await Bun.sleep(20);
    }
    const response = await fetch(`${t.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const body = await response.text();
    const families = parse(body);
    expect(families.get('spindle_runtimes')?.type).toBe('GAUGE');
    expect(value(families, 'spindle_runtimes', { state: 'running' })).toBe(2);
    expect(
      value(families, 'spindle_extension_state', { extension: 'sleeper', state: 'running' }),
    ).toBe(1);
    expect(
      value(families, 'spindle_activations_total', {
        extension: 'sleeper',
        trigger: 'mount',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(
      value(families, 'spindle_activations_total', {
        extension: 'sleeper',
        trigger: 'spawn',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(
      value(families, 'spindle_activations_total', {
        extension: 'probe',
        trigger: 'enable',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(families.get('spindle_activation_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(
      value(families, 'spindle_hibernations_total', { extension: 'sleeper', reason: 'hibernated' }),
    ).toBe(1);
    expect(
      value(families, 'spindle_runtime_exits_total', {
        extension: 'sleeper',
        reason: 'hibernated',
      }),
    ).toBe(1);
    expect(value(families, 'spindle_process_spawns_total', { side: 'backend' })).toBe(1);
    expect(
      value(families, 'spindle_process_ends_total', { side: 'backend', reason: 'completed' }),
    ).toBe(1);
    expect(
      value(families, 'spindle_runtime_restarts_total', { extension: 'probe', cause: 'operator' }),
    ).toBe(1);
    expect(families.get('spindle_service_call_duration_seconds')?.type).toBe('HISTOGRAM');
    // The parser keeps a histogram's buckets only: its count is read from the text.
    const count = /^spindle_service_call_duration_seconds_count\{([^}]*)\} (\d+)$/m;
    const counted = body
      .split('\n')
      .map((line) => count.exec(line))
      .find((m) => m?.[1]?.includes('namespace="metered"') && m[1].includes('outcome="ok"'));
    expect(counted?.[2]).toBe('1');
    // Nothing waits for a runtime; no frame was dropped.
    expect(value(families, 'spindle_activation_queue_depth', { extension: 'sleeper' })).toBe(0);
    expect(value(families, 'spindle_wire_frames_dropped_total')).toBe(0);
    expect(value(families, 'spindle_sessions', { connected: 'true' })).toBe(1);
    expect(value(families, 'spindle_wire_frames_received_total')).toBeGreaterThanOrEqual(3);
    expect(value(families, 'spindle_wire_frames_sent_total')).toBeGreaterThanOrEqual(2);
    expect(value(families, 'spindle_wire_connections')).toBe(1);
    expect(value(families, 'spindle_draining')).toBe(0);
    expect(value(families, 'spindle_capacity', { what: 'occupied' })).toBe(2);
    const hostPss = value(families, 'spindle_host_pss_bytes', { scope: 'host' }) ?? 0;
    const totalPss = value(families, 'spindle_host_pss_bytes', { scope: 'total' }) ?? 0;
    expect(hostPss).toBeGreaterThan(0);
    // Runtimes in process and sandbox mode are children of the host; worker ones are inside it.
    if (mode === 'worker') expect(totalPss).toBeGreaterThanOrEqual(hostPss);
    else expect(totalPss).toBeGreaterThan(hostPss);
    const pss = value(families, 'spindle_runtime_pss_bytes', { extension: 'probe', mode });
    if (mode === 'worker') {
      // Worker runtimes are part of the host process: no per-runtime figures.
      expect(pss).toBeUndefined();
    } else {
      expect(pss).toBeGreaterThan(0);
      const uss = value(families, 'spindle_runtime_uss_bytes', { extension: 'probe', mode }) ?? 0;
      const rss = value(families, 'spindle_runtime_rss_bytes', { extension: 'probe', mode }) ?? 0;
      expect(uss).toBeGreaterThan(0);
      expect(uss).toBeLessThanOrEqual(pss ?? 0);
      expect(pss).toBeLessThan(rss);
      // A runtime that just started may not have used one clock tick (10 ms) of CPU yet.
      expect(
        value(families, 'spindle_runtime_cpu_seconds_total', { extension: 'probe', mode }),
      ).toBeGreaterThanOrEqual(0);
    }
    await client.close();
  });
});

describe('who may read /metrics', () => {
  test('loopback-or-admin (default) lets a loopback client in; admin asks every client for an admin token', async () => {
    let access: 'admin' | 'loopback-or-admin' | 'public' = 'loopback-or-admin';
    const t = await startOpsHost('worker', { enable: [] }, { metricsAccess: () => access });
    expect((await fetch(`${t.url}/metrics`)).status).toBe(200);
    access = 'admin';
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const as = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
    expect((await fetch(`${t.url}/metrics`, as(t.tokens.user))).status).toBe(403);
    expect((await fetch(`${t.url}/metrics`, as(t.tokens.admin))).status).toBe(200);
    access = 'public';
    expect((await fetch(`${t.url}/metrics`)).status).toBe(200);
  });
});
