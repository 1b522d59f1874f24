#!/usr/bin/env node
// Installs the Debian packages the test suite drives for real (Chromium for the end-to-end
// tests, bubblewrap for the `sandbox` runtime mode) when they are missing and we are root on a
// Debian-like system. Anything else only prints what is missing: the tests that need it say so.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const wanted = [
  { bin: '/usr/bin/chromium', pkg: 'chromium' },
  { bin: '/usr/bin/bwrap', pkg: 'bubblewrap' },
];
const missing = wanted.filter((w) => !existsSync(w.bin));
if (missing.length === 0) process.exit(0);

const names = missing.map((m) => m.pkg).join(' ');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt || process.platform !== 'linux') {
  console.warn(`[spindle] missing system packages: ${names} (install them to run every test)`);
  process.exit(0);
}
console.log(`[spindle] installing system packages for the tests: ${names}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync(
  'apt-get',
  ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((m) => m.pkg)],
  {
    stdio: 'inherit',
    env,
  },
);
