/**
 * How a backend process child is started: the launch plan of `src/sandbox` (scrubbed env,
 * parent-death guard, pids cap, runtime user, sandbox layers in `sandbox` mode). Injectable so
 * that benchmarks and tests can compare against the bare floor.
 */
import {
  childUser,
  detectSandbox,
  type LaunchPlan,
  type LaunchSpec,
  planLaunch,
  resolveLaunchSettings,
} from '../../sandbox/index.ts';

/** Plans the command line of a child. */
export interface BackendLauncher {
  plan(spec: LaunchSpec): Promise<LaunchPlan>;
}

/** The project's launch planning; sandbox capabilities are detected once and cached there. */
export const defaultBackendLauncher: BackendLauncher = {
  async plan(spec) {
    const settings = spec.settings ?? resolveLaunchSettings({}, spec.baseEnv ?? process.env);
    return planLaunch({ ...spec, settings }, await detectSandbox(childUser(settings)));
  },
};
