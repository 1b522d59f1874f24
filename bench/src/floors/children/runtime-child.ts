/**
 * Child of the runtime and backend-process floors: first loads, with `require`, the module named
 * by its first argument (the one piece of work every runtime and backend process does before it
 * can report ready: its extension's entry, here the benchmark's minimal one), then reports ready
 * and sends every message straight back. Leaves on disconnect so it cannot outlive its parent.
 */
process.on('disconnect', () => process.exit(0));
const entry = process.argv[2];
if (entry) require(entry);
process.on('message', (message) => process.send?.(message));
process.send?.({ ready: true });
