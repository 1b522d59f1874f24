/** ELF inspection for Landlock's execute rule. Node-loadable (no `bun:ffi`). */
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The ELF interpreter (dynamic loader) named by an executable, e.g.
 * `/lib64/ld-linux-x86-64.so.2`; the kernel opens it for execution, so Landlock must allow it.
 * `undefined` for static or non-ELF files.
 */
export function elfInterpreter(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    // ELF magic, 64-bit class, little endian: the only shape Bun ships for Linux.
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return undefined;
    const phoff = Number(head.readBigUInt64LE(0x20));
    const phentsize = head.readUInt16LE(0x36);
    const phnum = head.readUInt16LE(0x38);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) {
      const at = i * phentsize;
      if (table.readUInt32LE(at) !== 3 /* PT_INTERP */) continue;
      const offset = Number(table.readBigUInt64LE(at + 8));
      const size = Number(table.readBigUInt64LE(at + 32));
      const name = Buffer.alloc(size);
      readSync(fd, name, 0, size, offset);
      return name.toString('utf8').replace(/\0+$/, '');
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}
