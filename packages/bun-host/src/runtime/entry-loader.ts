/**
 * Loading an extension's entry module inside a child (runtime bootstrap or backend process).
 * Imported by both bootstraps: no dependencies.
 */

/**
 * Loads the module at `path` (absolute) and returns its namespace.
 *
 * `require` first (Bun's, which loads ES modules too and exists in both module formats, so the
 * bootstraps can be built as CommonJS with bytecode): Bun evaluates a module that does not await
 * at top level synchronously, while `import()` resolves a turn later and, issued during an ES
 * bootstrap's own evaluation, waits for that evaluation to end (measured: ~0.5 ms of every
 * start). Anything else goes through
 * `import()`: a module that awaits at top level (Bun refuses to `require` it but has started
 * evaluating it, and `import()` continues that same evaluation), a CommonJS file (whose
 * `import()` namespace has the `default` export the callers expect), and a module that threw
 * (`import()` returns the cached failure). No module is ever evaluated twice, and every error
 * the caller sees is `import()`'s own.
 */
export async function loadEntryModule(path: string): Promise<Record<string, unknown>> {
  try {
    const namespace: unknown = require(path);
    if (Object.prototype.toString.call(namespace) === '[object Module]') {
      return namespace as Record<string, unknown>;
    }
  } catch {
    // Reported by import() below, with its own error.
  }
  return (await import(Bun.pathToFileURL(path).href)) as Record<string, unknown>;
}

/**
 * Evaluates the module at `path` (absolute) for its effects, as the runtime bootstrap does with
 * an extension's backend entry: nothing reads its exports. `require` alone when it succeeds,
 * whatever the module's format. A backend entry usually has no `import` or `export` (it calls
 * `spindle` at top level), and Bun loads such a file as CommonJS: asking `import()` for its
 * namespace as well, as `loadEntryModule` must, costs a turn of the loop and a second trip
 * through the module loader (measured: ~0.5 ms of every start). As in `loadEntryModule`,
 * `import()` takes over when `require` throws: it continues a module that awaits at top level
 * and returns the cached failure of one that threw; no module is evaluated twice.
 */
export async function runEntryModule(path: string): Promise<void> {
  try {
    require(path);
    return;
  } catch {
    // Reported by import() below, with its own error.
  }
  await import(Bun.pathToFileURL(path).href);
}
