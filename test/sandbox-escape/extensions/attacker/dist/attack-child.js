// The attacker's backend process child: the same attempts, answered to the runtime over IPC.
import { runAttacks } from './attacks.js';

export default async function run(ctx) {
  ctx.ready();
  const target = JSON.parse(await Bun.file(new URL('../target.json', import.meta.url)).text());
  ctx.send(await runAttacks(target));
}
