/**
 * The sizing rows of docs/operations.md ("Sizing"), measured on this machine: for each runtime
 * mode, a host over `INSTALLED` minimal extensions, all lazy, none running; then with `ACTIVE` of
 * them woken. Memory is PSS (`smaps_rollup`: shared pages counted once) of this process and every
 * descendant, after a full GC and `IDLE_MS` of quiet. Each mode runs in a fresh Bun process, so
 * one mode's heap never weighs on the next. Prints a Markdown table. Bun-only, Linux.
 *
 *   bun bench/src/sizing.ts            # every mode, one after another
 *   bun bench/src/sizing.ts sandbox    # one mode (what each child runs)
 */
import { RUNTIME_MODES, type SpindleRuntimeMode } from '@spindle/types';
import { settle } from './benchmarks/lib/churn.ts';
import { openHostRig } from './benchmarks/lib/host-rig.ts';
import { treePssMiB } from './benchmarks/lib/procfs.ts';

/** Installed extensions. */
export const INSTALLED = 50;
/** Extensions woken for the second reading. */
export const ACTIVE = 10;
/** Quiet time before each reading. */
const IDLE_MS = 2_000;

interface Sizing {
  mode: SpindleRuntimeMode;
  /** The host with `INSTALLED` extensions, none running, MiB. */
  alone: number;
  /** The same with `ACTIVE` running, MiB. */
  total: number;
}

async function quietPss(): Promise<number> {
  await Bun.sleep(IDLE_MS);
  await settle();
  return treePssMiB(process.pid);
}

async function measure(mode: SpindleRuntimeMode): Promise<Sizing> {
  const rig = await openHostRig(mode, INSTALLED, (line) => console.error(line), {
    enable: 'all',
    activation: { defaultPolicy: 'lazy' },
  });
  try {
    const alone = await quietPss();
    await Promise.all(rig.identifiers.slice(0, ACTIVE).map((id) => rig.host.wake(id)));
    const running = rig.host.list().filter((e) => e.state === 'running').length;
    if (running !== ACTIVE) throw new Error(`${running} runtimes run, not ${ACTIVE}`);
    return { mode, alone, total: await quietPss() };
  } finally {
    await rig.close();
  }
}

const mib = (value: number) => `${value.toFixed(1)} MiB`;

const asked = process.argv[2] as SpindleRuntimeMode | undefined;
if (asked !== undefined) {
  if (!RUNTIME_MODES.includes(asked)) throw new Error(`unknown mode "${asked}"`);
  // A child: one mode, its result as one JSON line.
  console.log(JSON.stringify(await measure(asked)));
} else {
  const rows: Sizing[] = [];
  for (const mode of RUNTIME_MODES) {
    const child = Bun.spawn([process.execPath, import.meta.path, mode], {
      stdout: 'pipe',
      stderr: 'inherit',
      env: process.env,
    });
    const [code, out] = await Promise.all([child.exited, new Response(child.stdout).text()]);
    if (code !== 0) throw new Error(`sizing of ${mode} mode exited with ${code}`);
    rows.push(JSON.parse(out.trim().split('\n').at(-1) ?? '') as Sizing);
  }
  const cell = (pick: (s: Sizing) => string) => rows.map(pick).join(' | ');
  console.log(`| what | ${cell((s) => `${s.mode} mode`)} |`);
  console.log(`| --- | ${cell(() => '---')} |`);
  console.log(
    `| host alone, ${INSTALLED} extensions installed, none running (all lazy) | ${cell((s) => mib(s.alone))} |`,
  );
  console.log(
    `| each running runtime (PSS of its process tree; worker: growth of the host) | ${cell((s) => mib((s.total - s.alone) / ACTIVE))} |`,
  );
  console.log(
    `| ${INSTALLED} installed, ${ACTIVE} running: host total | ${cell((s) => mib(s.total))} |`,
  );
}
