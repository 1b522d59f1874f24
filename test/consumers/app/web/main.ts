// A web app that embeds the Spindle runtime from npm: the host bridge to a Bun host, the
// extension host, and each running extension's frontend half mounted in an isolation worker.
// The page is given the host's origin and a token in its query string; what happens is kept in
// `window.spindleReport` for the test to read.
import {
  createExtensionHost,
  createWorkerConnector,
  type LoadOptions,
} from '@spindle/frontend-sdk';
import { connectHostBridge } from '@spindle/host-bridge';
import { type ExtensionInfoDTO, PROTOCOL_VERSION } from '@spindle/types';

interface Report {
  protocolVersion: number;
  userId?: string;
  /** `<extension>:<state>` for each state change of a loaded extension. */
  states: string[];
}

declare global {
  interface Window {
    spindleReport: Report;
  }
}

const params = new URLSearchParams(location.search);
const hostOrigin = params.get('host') ?? location.origin;
const report: Report = { protocolVersion: PROTOCOL_VERSION, states: [] };
window.spindleReport = report;

const bridge = connectHostBridge({
  url: `${hostOrigin.replace(/^http/, 'ws')}/ws`,
  token: params.get('token') ?? '',
});
const host = createExtensionHost({ transport: bridge, workerConnector: createWorkerConnector() });

host.events.on('state', (change) => {
  report.states.push(`${change.extensionId}:${change.state}`);
});

function mount(extension: ExtensionInfoDTO): void {
  if (extension.state !== 'running' || extension.frontendUrl === undefined) return;
  if (host.get(extension.identifier) !== undefined) return;
  const url = new URL(extension.frontendUrl, hostOrigin).href;
  host.load({ manifest: extension.manifest, url }, { isolation: 'worker' });
}

bridge.events.on('welcome', (welcome) => {
  report.userId = welcome.userId;
  for (const extension of welcome.extensions) mount(extension);
});
host.events.on('extension_state', mount);

/** Never called: the types are the real ones, not `any`, so tsc must refuse each line. */
export function wrongUses(): void {
  // @ts-expect-error isolation is 'main' or 'worker'
  const options: LoadOptions = { isolation: 'iframe' };
  // @ts-expect-error a bridge needs a URL
  connectHostBridge({ token: 'x' });
  host.load({ manifest: {} as ExtensionInfoDTO['manifest'], url: '/x.js' }, options);
}
