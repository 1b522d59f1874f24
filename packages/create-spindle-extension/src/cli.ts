#!/usr/bin/env node
/**
 * The program of `npm create spindle-extension` (`create-spindle-extension`), run by Node.
 */
import { runCreate } from './main.ts';

process.exitCode = await runCreate(process.argv.slice(2));
