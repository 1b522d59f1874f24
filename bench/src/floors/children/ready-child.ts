/**
 * Child of the spawn floor: reports at once, then idles until killed. Leaving on disconnect
 * keeps it from outliving a parent that died without killing it.
 */
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
setInterval(() => {}, 60_000);
