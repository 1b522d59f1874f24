// Every wall the escape suite tests, tried from inside an extension. Each attempt answers
// "ok …" or "denied: …"; the test decides which must be denied. `target` (target.json, written
// by the test) names the host's secrets, its pid and the canary listeners.
//
// Harmless even where a wall is missing: signals are sent only to the host (which handles
// SIGUSR2) or as signal 0 (a permission probe that delivers nothing); ptrace only peeks at a
// process it does not trace. Never run this file outside a runtime of the suite's host.
import { dlopen, read } from 'bun:ffi';
import dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import { open, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';

const x64 = process.arch === 'x64';
const libc = dlopen('libc.so.6', {
  syscall: { args: ['i64', 'i64', 'i64', 'i64'], returns: 'i64' },
  fork: { args: [], returns: 'i32' },
  pause: { args: [], returns: 'i32' },
  __errno_location: { args: [], returns: 'ptr' },
});
const errno = () => read.i32(libc.symbols.__errno_location(), 0);
const LOADER = x64 ? '/lib64/ld-linux-x86-64.so.2' : '/lib/ld-linux-aarch64.so.1';

/** Raw system calls [number, arg0, arg1, arg2] of x86-64 / arm64. */
const CALLS = {
  io_uring_setup: [425, 4, 0, 0],
  bpf: [x64 ? 321 : 280, 0, 0, 0],
  ptrace: [x64 ? 101 : 117, 3 /* PTRACE_PEEKUSER: harmless, ESRCH when allowed */, 0, 0],
  unshare_user: [x64 ? 272 : 97, 0x10000000, 0, 0],
  socket_netlink: [x64 ? 41 : 198, 16, 3, 0],
  socket_inet: [x64 ? 41 : 198, 2, 1, 0],
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

function syscall(name, t) {
  const [nr, a, b, c] = CALLS[name];
  // ptrace names the host.
  const result = Number(libc.symbols.syscall(nr, a, name === 'ptrace' ? t.hostPid : b, c));
  return result >= 0 ? ok(String(result)) : `denied: errno ${errno()}`;
}

/** Runs `argv` as a program: /bin/sh directly, or the loader running /bin/sh. */
function exec(argv) {
  const run = Bun.spawnSync(argv, { stdio: ['ignore', 'ignore', 'ignore'] });
  if (!run.success) throw new Error(`exit ${run.exitCode}`);
  return 'the shell ran';
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
  };
  for (const [name, fn] of Object.entries(tries)) results[name] = await attempt(fn);
  for (const name of Object.keys(CALLS)) results[name] = syscall(name, t);
  results.pids = t.mode === 'sandbox' ? forks(t.tasks) : spawns(t.tasks);
  return results;
}
