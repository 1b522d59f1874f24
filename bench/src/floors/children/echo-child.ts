/**
 * Child of the IPC echo floor: reports ready, then sends every message straight back. Leaves
 * on disconnect so it cannot outlive its parent's IPC channel.
 */
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => process.send?.(message));
process.send?.({ ready: true });
