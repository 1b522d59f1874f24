#!/usr/bin/env node
// Installs the Debian packages the test suite drives for real (Chromium for the end-to-end
// tests; for the `sandbox` runtime mode bubblewrap, Perl for the Landlock launcher and
// libseccomp for the seccomp filter) when they are missing and we are root on a Debian-like
// system. Anything else only prints what is missing: the tests that need it say so.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** True when a library folder of this machine holds `name` (any multiarch triplet). */
function hasLibrary(name) {
  for (const root of ['/usr/lib', '/lib', '/usr/lib64', '/lib64']) {
    if (existsSync(`${root}/${name}`)) return true;
    try {
      if (readdirSync(root).some((dir) => existsSync(`${root}/${dir}/${name}`))) return true;
    } catch {
      // no such folder
    }
  }
  return false;
}

const wanted = [
  { present: () => existsSync('/usr/bin/chromium'), pkg: 'chromium' },
  { present: () => existsSync('/usr/bin/bwrap'), pkg: 'bubblewrap' },
  { present: () => existsSync('/usr/bin/perl'), pkg: 'perl-base' },
  { present: () => hasLibrary('libseccomp.so.2'), pkg: 'libseccomp2' },
];
const missing = wanted.filter((w) => !w.present());
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
