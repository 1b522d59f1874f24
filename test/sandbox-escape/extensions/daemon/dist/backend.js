// Process mode: leaves a detached daemon behind (a new session, double-forked, reparented away
// from the runtime) whose command line carries the marker the test looks for.
const { marker } = JSON.parse(await Bun.file(new URL('../target.json', import.meta.url)).text());
Bun.spawnSync(['sh', '-c', `setsid sh -c 'sleep ${marker} & exit 0' &`], {
  stdio: ['ignore', 'ignore', 'ignore'],
});
spindle.log.info('daemon: spawned');
