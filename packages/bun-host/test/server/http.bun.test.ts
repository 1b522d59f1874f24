import { afterEach, describe, expect, test } from 'bun:test';
import { utimesSync, writeFileSync } from 'node:fs';
import type { ExtensionInfoDTO } from '@spindle/types';
import { bundleVersion } from '../../src/server/bundle.ts';
import { ALICE, type Fixture, startFixture } from './helpers.ts';

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

function bundleUrl(query = ''): string {
  return `${fixture!.server.url}/extensions/ext_a/frontend.js${query}`;
}

function currentVersion(): string {
  const file = Bun.file(fixture!.bundlePath);
  return bundleVersion({ size: file.size, mtimeMs: file.lastModified });
}

describe('GET /extensions/<id>/frontend.js', () => {
  test('serves the bundle with ETag, immutable caching for the current version, JS type and a strict CSP', async () => {
    fixture = startFixture();
    const response = await fetch(bundleUrl(`?v=${currentVersion()}`));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('export function setup() {}\n');
    expect(response.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('Content-Security-Policy')).toStartWith("default-src 'none'");
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(response.headers.get('ETag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
  });

  test('an unversioned or outdated URL must revalidate', async () => {
    fixture = startFixture();
    expect((await fetch(bundleUrl())).headers.get('Cache-Control')).toBe('no-cache');
    expect((await fetch(bundleUrl('?v=0123456789abcdef'))).headers.get('Cache-Control')).toBe(
      'no-cache',
    );
  });

  test('If-None-Match answers 304 until the file changes; then a new ETag and version', async () => {
    fixture = startFixture();
    const first = await fetch(bundleUrl());
    const etag = first.headers.get('ETag')!;
    const oldVersion = currentVersion();
    const again = await fetch(bundleUrl(), { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const weak = await fetch(bundleUrl(), { headers: { 'If-None-Match': `"nope", W/${etag}` } });
    expect(weak.status).toBe(304);

    writeFileSync(fixture.bundlePath, 'export function setup() { return () => {}; }\n');
    utimesSync(fixture.bundlePath, new Date(), new Date(Date.now() + 5000));
    const changed = await fetch(bundleUrl(), { headers: { 'If-None-Match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('ETag')).not.toBe(etag);
    expect(currentVersion()).not.toBe(oldVersion);
    expect((await fetch(bundleUrl(`?v=${oldVersion}`))).headers.get('Cache-Control')).toBe(
      'no-cache',
    );
  });

  test('404 for disabled, unknown and malformed ids; nothing outside the bundle is reachable', async () => {
    fixture = startFixture();
    const base = fixture.server.url;
    const paths = [
      '/extensions/ext_off/frontend.js',
      '/extensions/nope/frontend.js',
      '/extensions/EXT_A/frontend.js',
      '/extensions/..%2F..%2Fetc%2Fpasswd/frontend.js',
      '/extensions/ext_a%2F..%2F..%2Fhelpers.ts/frontend.js',
      '/extensions/%2e%2e/frontend.js',
      `/extensions/${'a'.repeat(500)}/frontend.js`,
      '/extensions/ext_a/backend.js',
      '/extensions/ext_a/frontend.js/..',
      '/etc/passwd',
    ];
    for (const path of paths) {
      const response = await fetch(base + path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });

  test('the bundle and a GET /ws without upgrade are answered sensibly', async () => {
    fixture = startFixture();
    expect((await fetch(`${fixture.server.url}/ws`)).status).toBe(426);
    expect((await fetch(bundleUrl(), { method: 'POST' })).status).toBe(405);
  });
});

describe('GET /api/extensions', () => {
  test('requires a valid bearer token', async () => {
    fixture = startFixture();
    const url = `${fixture.server.url}/api/extensions`;
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('WWW-Authenticate')).toBe('Bearer');
    expect(await none.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await fetch(url, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(url, { headers: { Authorization: ALICE } })).status).toBe(401);
  });

  test('lists extensions with their states and versioned bundle URLs', async () => {
    fixture = startFixture();
    const response = await fetch(`${fixture.server.url}/api/extensions`, {
      headers: { Authorization: `Bearer ${ALICE}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const list = (await response.json()) as ExtensionInfoDTO[];
    expect(list.map((e) => [e.identifier, e.state, e.frontendUrl])).toEqual([
      ['ext_a', 'running', `/extensions/ext_a/frontend.js?v=${currentVersion()}`],
      ['ext_off', 'disabled', undefined],
    ]);
  });
});

describe('describeExtension', () => {
  test('sets the versioned frontendUrl for servable extensions and strips it otherwise', () => {
    fixture = startFixture();
    const [running, disabled] = fixture.extensions;
    expect(
      fixture.server.describeExtension({ ...running!, frontendUrl: '/evil.js' }).frontendUrl,
    ).toBe(`/extensions/ext_a/frontend.js?v=${currentVersion()}`);
    expect(
      fixture.server.describeExtension({ ...disabled!, frontendUrl: '/stale.js' }),
    ).not.toHaveProperty('frontendUrl');
  });
});

describe('CORS', () => {
  test('loopback origins (a Vite dev server) are allowed by default, others are not', async () => {
    fixture = startFixture();
    const vite = await fetch(bundleUrl(), { headers: { Origin: 'http://localhost:5173' } });
    expect(vite.headers.get('Access-Control-Allow-Origin')).toBe('http://localhost:5173');
    expect(vite.headers.get('Vary')).toBe('Origin');
    const loop = await fetch(bundleUrl(), { headers: { Origin: 'http://127.0.0.1:4000' } });
    expect(loop.headers.get('Access-Control-Allow-Origin')).toBe('http://127.0.0.1:4000');
    const evil = await fetch(bundleUrl(), {
      headers: { Origin: 'https://localhost.evil.example' },
    });
    expect(evil.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  test('preflight for the API with Authorization; configured origins replace the default', async () => {
    fixture = startFixture({ allowedOrigins: ['https://app.example'] });
    const url = `${fixture.server.url}/api/extensions`;
    const ok = await fetch(url, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('Access-Control-Allow-Headers')).toContain('Authorization');
    const refused = await fetch(url, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:5173' },
    });
    expect(refused.status).toBe(403);
  });
});
