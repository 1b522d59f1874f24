// A Bun program that runs the Spindle host from npm: one extension in each runtime mode, in
// turn. Usage: bun server.ts <extensions folder> <data folder>. Prints one JSON line: what the
// host reported for the extension in each mode.
import { createTokenAuthenticator, type HostLogEntry, startSpindleHost } from '@spindle/bun-host';
import { RUNTIME_MODES, type SandboxStatus, type SpindleRuntimeMode } from '@spindle/types';

interface ModeReport {
  mode: SpindleRuntimeMode;
  state: string;
  runtimeMode?: SpindleRuntimeMode;
  sandbox?: SandboxStatus;
  error?: string;
  lines: string[];
}

const [extensionsDir, dataDir] = Bun.argv.slice(2);
if (extensionsDir === undefined || dataDir === undefined) {
  console.error('usage: bun server.ts <extensions folder> <data folder>');
  process.exit(2);
}

const reports: ModeReport[] = [];
for (const mode of RUNTIME_MODES) {
  const lines: string[] = [];
  const started = await startSpindleHost({
    extensionsDir,
    dataDir: `${dataDir}/${mode}`,
    runtimeMode: mode,
    port: 0,
    enable: ['hello'],
    authenticate: createTokenAuthenticator({ tokens: {} }),
    logger: (entry: HostLogEntry) => lines.push(entry.message),
  });
  try {
    const info = started.host.get('hello');
    if (info === undefined) throw new Error('the host did not discover the hello extension');
    reports.push({
      mode,
      state: info.state,
      ...(info.runtimeMode === undefined ? {} : { runtimeMode: info.runtimeMode }),
      ...(info.sandbox === undefined ? {} : { sandbox: info.sandbox }),
      ...(info.error === undefined ? {} : { error: info.error }),
      lines,
    });
  } finally {
    await started.close();
  }
}
console.log(JSON.stringify(reports));

// The types are the real ones, not `any`: this must be refused by tsc.
// @ts-expect-error there is no 'docker' runtime mode
const wrong: SpindleRuntimeMode = 'docker';
void wrong;
