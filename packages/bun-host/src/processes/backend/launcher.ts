/**
 * How a backend process child is started: the launch plan of `src/launch` (scrubbed env,
 * parent-death guard, sandbox layers in `sandbox` mode). Injectable so that benchmarks and tests
 * can compare against the bare floor.
 */
import { detectSandbox, planLaunch } from '../../launch/index.ts';
import type { LaunchPlan, LaunchSpec } from '../../launch/types.ts';

/** Plans the command line of a child. */
export interface BackendLauncher {
  plan(spec: LaunchSpec): Promise<LaunchPlan>;
}

/** The project's launch planning; sandbox capabilities are detected once and cached there. */
export const defaultBackendLauncher: BackendLauncher = {
  async plan(spec) {
    const caps = spec.mode === 'sandbox' ? await detectSandbox() : undefined;
    return planLaunch(spec, caps);
  },
};
