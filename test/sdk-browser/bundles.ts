/**
 * Extension frontend bundles the browser tests load: plain ES module source text, as an
 * extension's build would emit it.
 */

/**
 * Worker-isolated: reports what its `ctx` and global scope look like, then registers `spin`, a
 * process that calls `ready()` and never returns (so it ignores heartbeats, stops and ends).
 */
export const SPIN_BUNDLE = `
export function setup(ctx) {
  ctx.sendToBackend({
    dom: typeof ctx.dom,
    hasDomKey: 'dom' in ctx,
    document: typeof document,
    window: typeof window,
    worker: typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope,
  });
  ctx.processes.register('spin', (p) => {
    p.ready();
    while (true) {}
  });
}
`;

/**
 * Worker-isolated and well-behaved: `echo` beats every 50 ms, says hello, echoes messages,
 * completes on 'finish', completes on a graceful stop, and reports its cleanup to the backend.
 */
export const ECHO_BUNDLE = `
export function setup(ctx) {
  const off = ctx.onBackendMessage((payload) => ctx.sendToBackend({ echo: payload }));
  ctx.processes.register('echo', (p) => {
    const beat = setInterval(() => p.heartbeat(), 50);
    p.onMessage((payload) => {
      if (payload === 'finish') p.complete();
      else p.send({ echo: payload, kind: p.kind, key: p.key, spawnPayload: p.payload });
    });
    p.onStop((request) => {
      p.send({ stopping: request.reason ?? null });
      p.complete();
    });
    p.send('hello');
    p.ready();
    return () => {
      clearInterval(beat);
      ctx.sendToBackend({ cleanup: p.processId });
    };
  });
  return () => off();
}
`;

/** Main thread, healthy: one style through `ctx.dom`, then tells the backend it is up. */
export function styledBundle(tag: string): string {
  return `
export function setup(ctx) {
  const remove = ctx.dom.addStyle('.${tag} { color: rebeccapurple; }');
  ctx.sendToBackend({ mounted: '${tag}', dom: typeof ctx.dom });
  return () => remove();
}
`;
}

/** Throws at import: an IIFE reading a global `ctx`, as bundles built for another loader do. */
export const IIFE_GLOBAL_CTX_BUNDLE = `
(function () {
  ctx.dom.addStyle('.iife { color: red; }');
})();
export function setup() {}
`;

/** Adds a style through `ctx.dom`, then throws in `setup`: the style must not stay behind. */
export const THROWING_SETUP_BUNDLE = `
export function setup(ctx) {
  ctx.dom.addStyle('.thrower { color: red; }');
  throw new TypeError('cannot read config');
}
`;

/** Never finishes importing: a top-level await on a promise nobody resolves. */
export const HANGING_IMPORT_BUNDLE = `
await new Promise(() => {});
export function setup(ctx) {
  ctx.dom.addStyle('.never { color: red; }');
}
`;
