/** The files a Landlock launcher lets its program execute. Node-loadable. */
import { realpathSync } from 'node:fs';
import { elfInterpreter } from './elf.ts';

const executeRules = new Map<string, string[]>();

/**
 * The files the launcher may exec: the program, its real path and its ELF loader (the kernel
 * opens the loader for execution too). Cached per program.
 */
export function executeSet(program: string): string[] {
  let set = executeRules.get(program);
  if (!set) {
    set = [program];
    try {
      set.push(realpathSync(program));
    } catch {
      // A missing binary fails loudly at exec.
    }
    const interpreter = elfInterpreter(program);
    if (interpreter) set.push(interpreter);
    set = [...new Set(set)];
    executeRules.set(program, set);
  }
  return set;
}
