/**
 * Landlock launcher of sandboxed children: `bun landlock-exec.ts <program> [args…]` restricts
 * itself to the policy in `LUMIVERSE_SPINDLE_SANDBOX_POLICY`, then execs `<program>` (Bun
 * running the real script), which inherits the restriction from its first instruction.
 *
 * Why not restrict inside the child (a preload)? `landlock_restrict_self` binds the calling
 * thread and the threads it creates later. Bun starts its worker threads (async `fs`, the
 * transpiler) before any user code runs, so a preload leaves them unrestricted: measured here,
 * `fs/promises.readFile` read files the main thread could not. After `execve` there is one
 * thread, and every later thread inherits the domain.
 *
 * The launcher reads nothing from the IPC socket (it never yields to the event loop) and passes
 * the environment it was started with, `NODE_CHANNEL_FD` included, unchanged from
 * `/proc/self/environ` (Bun removes that variable from `process.env`). Any failure exits 78
 * (EX_CONFIG) with a `[spindle]` line on stderr: the planner reported `'landlock'` as active,
 * so the child must not run without it.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { elfInterpreter } from './elf.ts';
import { applyLandlock, execve } from './landlock.ts';
import { policyFromEnv } from './policy.ts';

const EXIT_SANDBOX_FAILED = 78;

function fail(reason: string): never {
  process.stderr.write(`[spindle] sandbox: Landlock is required but was not applied: ${reason}\n`);
  process.exit(EXIT_SANDBOX_FAILED);
}

const argv = process.argv.slice(2);
if (argv.length === 0 || !argv[0]!.startsWith('/'))
  fail('usage: landlock-exec.ts /abs/program [args…]');
const environ = readFileSync('/proc/self/environ', 'utf8').split('\0').filter(Boolean);
const policy = policyFromEnv(process.env);
if (!policy) fail('LUMIVERSE_SPINDLE_SANDBOX_POLICY is missing or malformed');
const program = argv[0]!;
const execute = [program, realpathSync(program)];
const interpreter = elfInterpreter(program);
if (interpreter) execute.push(interpreter);
const result = applyLandlock(policy, { execute });
if (!result.applied) fail(result.reason ?? 'unknown reason');
fail(execve(argv, environ));
