#!/usr/bin/env bun
/** `spindle-host`: see `src/cli/main.ts` and the package README. */
import { runCli } from '../src/cli/main.ts';

process.exit(await runCli(process.argv.slice(2)));
