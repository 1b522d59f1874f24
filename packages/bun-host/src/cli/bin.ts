/**
 * The program of the `spindle-host` command, run by Bun. The command itself is the launcher
 * next to this file (`spindle-host`, a POSIX shell script), which finds the Bun to run it with;
 * see the package README.
 */
import { runCli } from './main.ts';

process.exit(await runCli(process.argv.slice(2)));
