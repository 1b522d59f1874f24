/**
 * Private and proportional memory of a process tree from `/proc/<pid>/smaps_rollup` (Linux ≥ 4.14):
 * PSS (each shared page divided among the processes that map it, so PSS values add up to the
 * memory really used) and USS (pages only this process maps). VmRSS counts every shared page in
 * full for every process and overstates many Bun processes several times over; totals use PSS.
 */
import { childPids, MAX_TREE_SIZE, type ReadProc } from './proc.ts';

/** Memory of a process tree in KiB. */
export interface TreeMemory {
  rssKb: number;
  pssKb: number;
  /** Unique set size: `Private_Clean` + `Private_Dirty`. */
  ussKb: number;
  /** Every pid measured, the root first. */
  pids: number[];
}

/** The `kB` fields of a `smaps_rollup` text. */
export function parseSmapsRollup(text: string): { rssKb: number; pssKb: number; ussKb: number } {
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  };
  return {
    rssKb: field('Rss'),
    pssKb: field('Pss'),
    ussKb: field('Private_Clean') + field('Private_Dirty'),
  };
}

/**
 * Memory of `pid` and its descendants (at most `maxPids`). Throws when `pid` itself cannot be
 * read (gone, or no smaps_rollup); descendants that vanish mid-walk are skipped.
 */
export function readTreeMemory(
  pid: number,
  read: ReadProc,
  /** @default MAX_TREE_SIZE */
  maxPids: number = MAX_TREE_SIZE,
): TreeMemory {
  const memory: TreeMemory = { rssKb: 0, pssKb: 0, ussKb: 0, pids: [] };
  const queue = [pid];
  while (queue.length > 0 && memory.pids.length < maxPids) {
    const current = queue.shift() as number;
    let text: string;
    try {
      text = read(`/proc/${current}/smaps_rollup`);
    } catch (error) {
      if (current === pid) throw error;
      continue;
    }
    const one = parseSmapsRollup(text);
    memory.rssKb += one.rssKb;
    memory.pssKb += one.pssKb;
    memory.ussKb += one.ussKb;
    memory.pids.push(current);
    queue.push(...childPids(current, read));
  }
  return memory;
}
