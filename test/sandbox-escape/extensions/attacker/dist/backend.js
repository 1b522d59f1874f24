// The attacker's runtime: tries every wall (attacks.js) from the runtime, then from a backend
// process child, and leaves the answers in its storage for the test to read.
import { runAttacks } from './attacks.js';

const readTarget = async () =>
  JSON.parse(await Bun.file(new URL('../target.json', import.meta.url)).text());

async function fromChild() {
  const answer = new Promise((resolve) => {
    const off = spindle.backendProcesses.onMessage(({ payload }) => {
      off();
      resolve(payload);
    });
  });
  const handle = await spindle.backendProcesses.spawn({ entry: 'dist/attack-child.js' });
  const results = await answer;
  await handle.stop();
  return results;
}

(async () => {
  const target = await readTarget();
  await spindle.storage.setJson('runtime.json', await runAttacks(target));
  await spindle.storage.setJson('child.json', await fromChild());
  await spindle.storage.setJson('done.json', true);
})().catch((error) => spindle.storage.setJson('error.json', String(error?.stack ?? error)));
