/**
 * The playground page: connects to the host through the bridge, mounts every running
 * extension's frontend half, and shows connection state, processes and runtime memory.
 */
import { createExtensionHost, createWorkerConnector } from '@spindle/frontend-sdk';
import { connectHostBridge } from '@spindle/host-bridge';
import type { ExtensionInfoDTO, WelcomeFrame } from '@spindle/types';
import { mountChats } from './chats.ts';
import {
  type ProcessRow,
  type RuntimeRow,
  renderProcessTable,
  renderRuntimeTable,
} from './process-table.ts';
import { RssChart } from './rss-chart.ts';
import { AppShell, appEvents } from './shell.ts';

const $ = <T extends Element = HTMLElement>(testId: string) =>
  document.querySelector<T>(`[data-testid="${testId}"]`)!;

interface PlaygroundConfig {
  token: string;
  mode: string;
  modes: string[];
}

const params = new URLSearchParams(location.search);
/** Admin sessions see the host's process list. */
let isAdmin = false;
const config = (await (
  await fetch(`/__playground/config?user=${encodeURIComponent(params.get('user') ?? '')}`)
).json()) as PlaygroundConfig;
const token = params.get('token') ?? config.token;

const modeSelect = $<HTMLSelectElement>('mode-select');
for (const mode of config.modes)
  modeSelect.add(new Option(mode, mode, false, mode === config.mode));
modeSelect.addEventListener('change', async () => {
  modeSelect.disabled = true;
  // The host goes away while it restarts: stop talking to it until the page reloads.
  isAdmin = false;
  host.close();
  bridge.close();
  connBadge.textContent = `restarting in ${modeSelect.value} mode`;
  await fetch(`/__playground/mode?mode=${modeSelect.value}`, { method: 'POST' });
  location.reload();
});

const connBadge = $('connection-state');
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const bridge = connectHostBridge({ url: wsUrl, token });
const shell = new AppShell(
  { strip: $('drawer-strip'), panels: $('drawer-panels'), empty: $('drawer-empty') },
  $('modal-layer'),
  $('toasts'),
);
const host = createExtensionHost({
  transport: bridge,
  workerConnector: createWorkerConnector(),
  // The app's own surfaces on every extension's ctx: drawer tabs, modals, toasts, page events.
  contributeContext: shell.contribute,
});
const chatView = mountChats($('chats'), token);
appEvents.on('CHAT_SWITCHED', () => void chatView.refresh());
(window as unknown as { spindle: unknown }).spindle = { bridge, host };

// A frame the host refused, or a message that never arrived, is a bug in an extension or in the
// wiring: say so where a developer looks first.
bridge.events.on('error', (e) => {
  const about = e.frameType ? ` (${e.frameType}${e.seq === undefined ? '' : ` #${e.seq}`})` : '';
  console.error(`[spindle] ${e.source} error ${e.code}${about}: ${e.message}`);
});
bridge.events.on('dropped', (e) => {
  const types = [...new Set(e.messages.map((m) => m.type))].join(', ');
  console.warn(`[spindle] ${e.messages.length} uplink(s) dropped (${e.reason}): ${types}`);
});
host.events.on('dropped', (e) => {
  const what = e.extensionId ? `${e.what} of ${e.extensionId}` : e.what;
  console.warn(`[spindle] ${what} dropped (${e.reason}, ${e.direction})`);
});

const tones: Record<string, string> = {
  open: 'ok',
  connecting: 'warn',
  reconnecting: 'warn',
  closed: 'bad',
  failed: 'bad',
};
bridge.events.on('state', ({ state }) => {
  connBadge.textContent = state;
  connBadge.className = `badge badge-${tones[state] ?? 'idle'}`;
});

const extensions = new Map<string, ExtensionInfoDTO>();
const isolated = new Set(['runaway_frontend']);

function renderExtensionList() {
  const list = $('extension-list');
  list.replaceChildren(
    ...[...extensions.values()].map((ext) => {
      const li = document.createElement('li');
      li.dataset.extension = ext.identifier;
      const name = document.createElement('div');
      name.innerHTML = '<strong></strong><small></small>';
      name.querySelector('strong')!.textContent = ext.manifest.name;
      name.querySelector('small')!.textContent = ext.manifest.description ?? ext.identifier;
      const frontState = host.get(ext.identifier)?.state;
      const badge = document.createElement('span');
      const state = ext.state === 'running' && frontState ? frontState : ext.state;
      badge.className = `badge badge-${/error|fail|crash/.test(state) ? 'bad' : /running|mounted|ready/.test(state) ? 'ok' : 'warn'}`;
      badge.textContent = state;
      badge.title = ext.error ?? '';
      li.append(name, badge);
      return li;
    }),
  );
}

/** The bundle URL each mounted extension was loaded from. */
const mountedUrls = new Map<string, string>();
/**
 * Backend states in which the frontend half stays mounted: a restart passes through them, and a
 * hibernated extension wakes on need.
 */
const passing = new Set(['running', 'hibernated', 'stopping', 'starting', 'restarting']);

/**
 * Mounts a running (or hibernated) extension's frontend, reloads it when its versioned
 * `frontendUrl` changed (a rebuilt bundle: `spindle-host dev` and the playground's watcher
 * announce it), keeps it through a backend restart or hibernation, and unloads it once the
 * backend is down for good. Only the extension the announcement is about is touched.
 */
function mountIfRunning(ext: ExtensionInfoDTO) {
  if (isolated.has(ext.identifier)) return;
  const loaded = host.get(ext.identifier);
  const url = mountedUrls.get(ext.identifier);
  const live = ext.state === 'running' || ext.state === 'hibernated';
  if (live && ext.frontendUrl && (!loaded || url !== ext.frontendUrl)) {
    mountedUrls.set(ext.identifier, ext.frontendUrl);
    host.load({
      manifest: ext.manifest,
      url: ext.frontendUrl,
      ...(ext.host ? { host: ext.host } : {}),
      ...(ext.grantedPermissions ? { grantedPermissions: ext.grantedPermissions } : {}),
    });
  }
  if (!passing.has(ext.state) && loaded) {
    mountedUrls.delete(ext.identifier);
    host.unload(ext.identifier);
  }
}

bridge.events.on('welcome', (welcome: WelcomeFrame) => {
  $('session-id').textContent = `session ${welcome.frontendSessionId.slice(0, 8)}`;
  for (const ext of welcome.extensions) {
    extensions.set(ext.identifier, ext);
    mountIfRunning(ext);
  }
  renderExtensionList();
  if (welcome.isAdmin) bridge.send({ type: 'subscribe_stats' });
});

const chart = new RssChart($('rss-chart'), $('rss-legend'), $('stats-note'));
bridge.events.on('runtime_stats', (event) => chart.add(event));
bridge.events.on('extension_state', (ext) => {
  extensions.set(ext.identifier, ext);
  mountIfRunning(ext);
  renderExtensionList();
});
host.events.on('state', () => renderExtensionList());

// Runaway demo: load the bundle in a worker on demand; its process spins until the SDK kills it.
const runawayState = $('runaway-state');
$('runaway-run').addEventListener('click', () => {
  const ext = extensions.get('runaway_frontend');
  if (!ext?.frontendUrl) return;
  host.unload('runaway_frontend');
  runawayState.textContent = 'starting';
  runawayState.className = 'badge badge-warn';
  host.load({ manifest: ext.manifest, url: ext.frontendUrl }, { isolation: 'worker' });
});
host.events.on('process', ({ info }) => {
  if (info.extensionId !== 'runaway_frontend') return;
  runawayState.textContent = info.exitReason ? `${info.state} (${info.exitReason})` : info.state;
  runawayState.className = `badge badge-${info.state === 'running' ? 'warn' : info.state === 'timed_out' ? 'ok' : 'idle'}`;
});
const runawayWorker = $('runaway-worker');
host.events.on('state', (event) => {
  if (event.extensionId !== 'runaway_frontend') return;
  runawayWorker.textContent = event.state === 'error' ? 'terminated' : event.state;
  runawayWorker.className = `badge badge-${event.state === 'error' ? 'ok' : event.state === 'ready' ? 'warn' : 'idle'}`;
  $('runaway-note').textContent = event.state === 'error' ? (event.error ?? '') : '';
});
let clicks = 0;
$('responsive-click').addEventListener('click', () => {
  clicks += 1;
  $('click-count').textContent = String(clicks);
});

// Process table: the host's view (admin endpoint), refreshed every second. Other users see a
// note instead: the host's process list is for operators.
async function refreshProcesses() {
  if (!isAdmin) return;
  try {
    const res = await fetch('/api/processes', { headers: { authorization: `Bearer ${token}` } });
    if (res.ok) renderProcessTable($('process-table'), (await res.json()) as ProcessRow[]);
  } catch {
    // The host may be restarting (mode switch); the next tick retries.
  }
}
bridge.events.on('welcome', (welcome) => {
  isAdmin = welcome.isAdmin;
  if (!isAdmin) {
    renderProcessTable($('process-table'), [], 'The host process list is for admin sessions.');
  }
});
setInterval(refreshProcesses, 1000);

// Runtimes (admin sessions): activation state, hibernation and exit reasons of every extension's
// runtime, with a Hibernate / Wake button (the admin API, docs/operations.md); the memory chart
// marks a runtime that hibernated or stopped.
async function refreshRuntimes() {
  if (!isAdmin) return;
  try {
    const res = await fetch('/api/admin/extensions', {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) return;
    const rows = (await res.json()) as RuntimeRow[];
    renderRuntimeTable($('runtime-table'), rows, (identifier, action) => {
      void fetch(`/api/admin/extensions/${identifier}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      }).then(refreshRuntimes, () => undefined);
    });
  } catch {
    // The host may be restarting (mode switch); the next tick retries.
  }
}
bridge.events.on('extension_state', (ext) =>
  chart.setState(ext.identifier, ext.state, ext.activation?.lastExitReason),
);
bridge.events.on('extension_state', () => void refreshRuntimes());
setInterval(refreshRuntimes, 1000);
