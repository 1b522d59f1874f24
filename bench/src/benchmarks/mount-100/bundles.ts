/**
 * The extension bundles of the mount benchmark, as ES module source text. A healthy bundle
 * does what a small real frontend does at setup: a stylesheet through `ctx.dom`, a backend
 * subscription, a process kind, a message to its backend, and a little table of settings.
 */

/** Id of the i-th healthy extension. */
export const healthyId = (i: number): string => `healthy_${String(i).padStart(3, '0')}`;
/** Id of the bundle whose import never finishes. */
export const HANG_ID = 'hangs_at_import';
/** Id of the bundle whose setup throws. */
export const THROW_ID = 'throws_in_setup';

/** A healthy bundle, distinct per index (so no two share a module body). */
export function healthyBundle(i: number): string {
  return `
const SETTINGS = Array.from({ length: 40 }, (_, n) => ({
  key: 'ext${i}_option_' + n,
  label: 'Option ' + n + ' of extension ${i}',
  value: (n * ${i + 7}) % 13,
}));

export function setup(ctx) {
  const css = SETTINGS.map((s) => '.ext${i}-' + s.key + ' { order: ' + s.value + '; }').join('\\n');
  const removeStyle = ctx.dom.addStyle(css);
  const off = ctx.onBackendMessage((payload) => ctx.sendToBackend({ ack: payload }));
  ctx.processes.register('sync', (p) => {
    p.onMessage((m) => p.send(m));
    p.ready();
  });
  ctx.sendToBackend({ mounted: ${i}, settings: SETTINGS.length });
  return () => {
    off();
    removeStyle();
  };
}
`;
}

/** Never finishes importing: a top-level await on a promise nobody resolves. */
export const HANG_BUNDLE = `
await new Promise(() => {});
export function setup() {}
`;

/** Imports fine, then throws in `setup` after touching the DOM. */
export const THROW_BUNDLE = `
export function setup(ctx) {
  ctx.dom.addStyle('.broken { color: red; }');
  throw new Error('setup failed on purpose');
}
`;
