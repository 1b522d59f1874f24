/**
 * Starts a planned child: `Bun.spawn` with the plan's command and environment, as the plan's
 * user, inside a fresh cgroup of its own (the pids cap), leading its own process group and
 * session (`detached`: a forced stop signals everything it started, and a terminal's Ctrl-C
 * reaches only the host). When the child exits, whatever is left in its cgroup is killed.
 * Bun-only.
 */
import { SpindleError } from '@spindle/types';
import { createChildCgroup, releaseChildCgroup } from './pids.ts';
import type { LaunchPlan } from './types.ts';

/** `Bun.spawn` options of a planned child, minus what the plan decides. */
export type PlannedSpawnOptions = Omit<
  Bun.SpawnOptions.OptionsObject<'ignore', 'pipe', 'pipe'>,
  'cmd' | 'detached' | 'uid' | 'gid' | 'cgroup'
> & { stdin: 'ignore'; stdout: 'pipe'; stderr: 'pipe' };

/**
 * Spawns `plan` (its `env` unless `options.env` replaces it).
 * @throws SpindleError `INTERNAL` when the cgroup cannot be made or the spawn fails.
 */
export function spawnPlanned(
  plan: LaunchPlan,
  options: PlannedSpawnOptions,
): Bun.Subprocess<'ignore', 'pipe', 'pipe'> {
  let cgroup: string | undefined;
  try {
    if (plan.pids && 'cgroup' in plan.pids)
      cgroup = createChildCgroup(plan.pids.cgroup, plan.pids.max);
    const child = Bun.spawn({
      ...options,
      cmd: [...plan.cmd],
      env: options.env ?? plan.env,
      detached: true,
      ...(plan.user ? { uid: plan.user.uid, gid: plan.user.gid } : {}),
      ...(cgroup ? { cgroup } : {}),
    });
    const dir = cgroup;
    if (dir) void child.exited.then(() => releaseChildCgroup(dir));
    return child;
  } catch (error) {
    if (cgroup) void releaseChildCgroup(cgroup);
    throw new SpindleError('INTERNAL', `[spindle] cannot spawn ${plan.cmd[0]}: ${String(error)}`, {
      cause: error,
      details: { cmd: plan.cmd },
    });
  }
}
