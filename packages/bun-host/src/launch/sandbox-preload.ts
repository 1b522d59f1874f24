/**
 * Bun `--preload` of sandboxed children: applies Landlock before any extension code runs. The
 * planner only adds this preload when detection found Landlock, and reports `'landlock'` as an
 * active layer; so failing to apply it must stop the child (exit 78) rather than run it with
 * fewer layers than reported.
 */
import { applyLandlock } from './landlock.ts';
import { policyFromEnv } from './policy.ts';

/** Exit code of a child whose required Landlock ruleset could not be applied (EX_CONFIG). */
const EXIT_SANDBOX_FAILED = 78;

const policy = policyFromEnv(process.env);
const result = policy
  ? applyLandlock(policy)
  : { applied: false, reason: 'LUMIVERSE_SPINDLE_SANDBOX_POLICY is missing or malformed' };
if (!result.applied) {
  process.stderr.write(
    `[spindle] sandbox: Landlock is required but was not applied: ${result.reason}\n`,
  );
  process.exit(EXIT_SANDBOX_FAILED);
}
