// Every wall the escape suite tests, tried from inside an extension. Each attempt answers
// "ok …" or "denied: …"; the test decides which must be denied. `target` (target.json, written
// by the test) names the host's secrets, its pid and the canary listeners.
//
// Harmless even where a wall is missing: signals are sent only to the host (which handles
// SIGUSR2) or as signal 0 (a permission probe that delivers nothing); ptrace attaches only to a
// `sleep` of its own, killed at once. Never run this file outside a runtime of the suite's host.
import { dlopen, ptr, read } from 'bun:ffi';
import dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import { open, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';

const x64 = process.arch === 'x64';
const libc = dlopen('libc.so.6', {
  syscall: { args: ['i64', 'i64', 'i64', 'i64'], returns: 'i64' },
  fork: { args: [], returns: 'i32' },
  pause: { args: [], returns: 'i32' },
  close: { args: ['i32'], returns: 'i32' },
  __errno_location: { args: [], returns: 'ptr' },
});
const errno = () => read.i32(libc.symbols.__errno_location(), 0);
const LOADER = x64 ? '/lib64/ld-linux-x86-64.so.2' : '/lib/ld-linux-aarch64.so.1';

/** System call numbers of x86-64 / arm64. */
const NR = x64
  ? { io_uring_setup: 425, bpf: 321, ptrace: 101, unshare: 272, socket: 41 }
  : { io_uring_setup: 425, bpf: 280, ptrace: 117, unshare: 97, socket: 198 };

/**
 * Raw system calls, each with arguments that make it succeed (bpf and unshare: fail with
 * EINVAL; ptrace in the sandbox: ESRCH) where nothing blocks it, so EPERM or EAFNOSUPPORT is the
 * filter's: [number, arg0, arg1, arg2, returns an fd to close]. `child`: see `ptraceTarget`.
 */
const CALLS = {
  io_uring_setup: () => [NR.io_uring_setup, 4, ptr(new Uint8Array(120)), 0, true],
  // No such command: EINVAL where bpf is allowed (even with unprivileged bpf disabled).
  bpf: () => [NR.bpf, 9999, ptr(new Uint8Array(64)), 64, false],
  ptrace: (child) => [NR.ptrace, 16 /* PTRACE_ATTACH */, child, 0, false],
  socket_netlink: () => [NR.socket, 16, 3, 0, true],
  socket_inet: () => [NR.socket, 2, 1, 0, true],
  // EINVAL where allowed: the kernel refuses a new user namespace to a multi-threaded process
  // (Bun is one), but only once the call reached it.
  unshare_user: () => [NR.unshare, 0x10000000, 0, 0, false],
};


const ok = (what = '') => `ok${what ? ` ${what}` : ''}`;
const denied = (error) => `denied: ${error?.code ?? error?.message ?? error}`;

async function attempt(fn) {
  try {
    return ok(await fn());
  } catch (error) {
    return denied(error);
  }
}

function syscall(name, child) {
  const [nr, a, b, c, fd] = CALLS[name](child);
  const result = Number(libc.symbols.syscall(nr, a, b, c));
  if (result < 0) return `denied: errno ${errno()}`;
  if (fd) libc.symbols.close(result);
  return ok(String(result));
}

/**
 * What ptrace attaches to: a `sleep` of the runtime's own (killed after) where programs may be
 * started; else (the sandbox) a pid that cannot exist, which the kernel would answer ESRCH.
 */
function ptraceTarget() {
  try {
    const sleeper = Bun.spawn(['sleep', '30'], { stdio: ['ignore', 'ignore', 'ignore'] });
    return { pid: sleeper.pid, end: () => sleeper.kill('SIGKILL') };
  } catch {
    return { pid: 0x7fffffff, end: () => {} };
  }
}

/** Runs `argv` as a program: /bin/sh directly, or the loader running /bin/sh. */
function exec(argv) {
  const run = Bun.spawnSync(argv, { stdio: ['ignore', 'ignore', 'ignore'] });
  if (!run.success) throw new Error(`exit ${run.exitCode}`);
  return 'the shell ran';
}

/** What `exec-worker.js` answers from a Worker thread of this process. */
function fromWorker() {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./exec-worker.js', import.meta.url).href);
    const done = (settle, value) => {
      clearTimeout(timer);
      worker.terminate();
      settle(value);
    };
    const timer = setTimeout(() => done(reject, new Error('no answer from the worker')), 10_000);
    worker.onmessage = ({ data }) =>
      String(data).startsWith('ok')
        ? done(resolve, String(data).slice(3))
        : done(reject, new Error(String(data)));
    worker.onerror = (event) => done(reject, new Error(event.message));
  });
}

/** Forks (without exec) until `count` or the first failure; the children wait to be killed. */
function forks(count) {
  for (let made = 0; made < count; made++) {
    const pid = libc.symbols.fork();
    if (pid === 0) for (;;) libc.symbols.pause();
    if (pid < 0) return `denied after ${made}: errno ${errno()}`;
  }
  return ok(`${count} forks`);
}

/** Starts `count` Bun.spawn children (process mode, where exec is allowed), then kills them. */
function spawns(count) {
  const started = [];
  try {
    for (let i = 0; i < count; i++) {
      started.push(Bun.spawn(['sleep', '30'], { stdio: ['ignore', 'ignore', 'ignore'] }));
    }
    return ok(`${count} spawns`);
  } catch (error) {
    return `denied after ${started.length}: ${error?.code ?? error}`;
  } finally {
    for (const child of started) child.kill('SIGKILL');
  }
}

function connect(options) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options, () => {
      socket.end();
      resolve('connected');
    });
    socket.on('error', reject);
    socket.setTimeout(1500, () => {
      socket.destroy();
      reject(new Error('timeout'));
    });
  });
}

function udp(port) {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.on('error', reject);
    socket.send('canary', port, '127.0.0.1', (error) => {
      socket.close();
      if (error) reject(error);
      else resolve('sent');
    });
  });
}

async function resolveThrough(port) {
  const resolver = new dns.Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return (await resolver.resolve4('canary.example')).join(',');
}

/** Every attempt, by name. */
export async function runAttacks(t) {
  const results = { uid: String(process.getuid()) };
  const tries = {
    read_token_file: () => readFile(t.tokenFile, 'utf8'),
    read_other_storage: () => readFile(t.victimSecret, 'utf8'),
    read_host_environ: () => readFile(`/proc/${t.hostPid}/environ`, 'utf8'),
    read_host_cmdline: () => readFile(`/proc/${t.hostPid}/cmdline`, 'utf8'),
    open_host_mem: () => open(`/proc/${t.hostPid}/mem`, 'r').then((f) => f.close()),
    write_extension: () => writeFile(t.extFile, 'x'),
    write_data_dir: () => writeFile(t.dataDirFile, 'x'),
    write_host_tmp: () => writeFile(t.hostTmpFile, 'x'),
    write_other_storage: () => writeFile(t.victimPlant, 'x'),
    tcp: () => connect({ host: '127.0.0.1', port: t.tcpPort }),
    // The canary counts connections and never answers: the request ends at the timeout.
    fetch: async () =>
      (await fetch(`http://127.0.0.1:${t.tcpPort}/`, { signal: AbortSignal.timeout(1500) }))
        .status,
    udp: () => udp(t.udpPort),
    dns: () => resolveThrough(t.udpPort),
    unix_socket: () => connect({ path: t.unixSocket }),
    abstract_socket: () => connect({ path: `\0${t.abstractName}` }),
    signal_host: () => process.kill(t.hostPid, 'SIGUSR2'),
    // Signal 0 to every process it may signal: a probe, nothing is delivered.
    signal_everyone: () => process.kill(-1, 0),
    exec_shell: () => exec(['/bin/sh', '-c', 'exit 0']),
    exec_through_loader: () => exec([LOADER, '/bin/sh', '-c', 'exit 0']),
    // Threads started after the filter inherit it.
    exec_from_worker: fromWorker,
  };
  for (const [name, fn] of Object.entries(tries)) results[name] = await attempt(fn);
  const target = ptraceTarget();
  try {
    for (const name of Object.keys(CALLS)) results[name] = syscall(name, target.pid);
  } finally {
    target.end();
  }
  // The pids cap is tried last: once it is reached, nothing more can start.
  results.pids = t.mode === 'sandbox' ? forks(t.tasks) : spawns(t.tasks);
  return results;
}
