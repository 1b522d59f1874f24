// A Worker of the attacker: a thread the runtime starts after its filter was installed tries to
// run the shell. Answers "ok …" or "denied: …" to its parent.
let answer;
try {
  const run = Bun.spawnSync(['/bin/sh', '-c', 'exit 0'], { stdio: ['ignore', 'ignore', 'ignore'] });
  answer = run.success ? 'ok the shell ran' : `denied: exit ${run.exitCode}`;
} catch (error) {
  answer = `denied: ${error?.code ?? error?.message ?? error}`;
}
postMessage(answer);
