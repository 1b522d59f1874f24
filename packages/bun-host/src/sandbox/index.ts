/**
 * The sandbox room: how every child of the host starts (`README.md` here lists the layers, what
 * each stops and how it is tested). Supervisors only ask it for a plan, then spawn that plan:
 *
 * ```ts
 * const caps = await detectSandbox(childUser(settings));
 * const plan = planLaunch({ script, cwd: extDir, mode: 'sandbox', settings,
 *   sandbox: { readOnly: [extDir], readWrite: [storageDir] } }, caps);
 * const child = spawnPlanned(plan, { cwd: extDir, stdin: 'ignore', stdout: 'pipe',
 *   stderr: 'pipe', ipc, serialization: 'json' });
 * ```
 */
export { detectSandbox, resetSandboxDetection } from './detect.ts';
export { planLaunch } from './plan.ts';
export {
  childUser,
  hardenHost,
  type LaunchOptions,
  type LaunchSettings,
  type RuntimeUser,
  resolveLaunchSettings,
} from './settings.ts';
export { type PlannedSpawnOptions, spawnPlanned } from './spawn.ts';
export type { LaunchPlan, LaunchSpec, PidsPlan, SandboxCapabilities } from './types.ts';
