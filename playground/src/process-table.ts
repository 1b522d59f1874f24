/** One row of the host's process list (`GET /api/processes`). */
export interface ProcessRow {
  side: 'frontend' | 'backend';
  extensionId: string;
  processId: string;
  kind: string;
  state: string;
  exitReason?: string;
  startedAt: string;
  endedAt?: string;
  lastHeartbeatAt?: string;
}

const tone = (state: string) =>
  state === 'running' || state === 'completed'
    ? 'ok'
    : state === 'failed' || state === 'timed_out'
      ? 'bad'
      : state === 'starting' || state === 'stopping'
        ? 'warn'
        : 'idle';

function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Renders the rows, newest first. */
export function renderProcessTable(
  table: HTMLTableElement,
  rows: ProcessRow[],
  emptyText = 'No processes yet: start one from a panel.',
): void {
  const body = table.tBodies[0]!;
  const now = Date.now();
  const sorted = [...rows].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, 30);
  body.replaceChildren(
    ...sorted.map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.processId = row.processId;
      tr.dataset.state = row.state;
      const end = row.endedAt ? Date.parse(row.endedAt) : now;
      const cells = [
        row.side,
        row.extensionId,
        row.kind,
        row.processId,
        row.state,
        row.exitReason ?? '',
        duration(end - Date.parse(row.startedAt)),
        row.lastHeartbeatAt ? `${duration(now - Date.parse(row.lastHeartbeatAt))} ago` : '—',
      ];
      cells.forEach((text, i) => {
        const td = document.createElement('td');
        if (i === 3) td.className = 'id';
        if (i === 4) {
          const badge = document.createElement('span');
          badge.className = `badge badge-${tone(row.state)}`;
          badge.textContent = text;
          td.append(badge);
        } else td.textContent = text;
        tr.append(td);
      });
      return tr;
    }),
  );
  if (sorted.length === 0) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 8;
    td.className = 'muted';
    td.textContent = emptyText;
    tr.append(td);
    body.append(tr);
  }
}

/** One extension's runtime as the admin API lists it (`GET /api/admin/extensions`). */
export interface RuntimeRow {
  identifier: string;
  state: string;
  pid?: number;
  runtimeMode?: string;
  activation?: {
    policy: string;
    activating: boolean;
    idleAfterMs?: number;
    lastExitReason?: string;
  };
  busy?: string[];
  waiting?: number;
}

const runtimeTone = (row: RuntimeRow) =>
  row.activation?.activating
    ? 'warn'
    : row.state === 'running'
      ? 'ok'
      : row.state === 'hibernated'
        ? 'idle'
        : /fail|crash|error/.test(row.state)
          ? 'bad'
          : 'warn';

/**
 * Renders one row per extension runtime: its state (with the `activating` sub-state), policy,
 * pid, why it is awake, its last exit reason, and a Hibernate / Wake button that calls `act`.
 */
export function renderRuntimeTable(
  table: HTMLTableElement,
  rows: RuntimeRow[],
  act: (identifier: string, action: 'hibernate' | 'wake') => void,
): void {
  const body = table.tBodies[0]!;
  body.replaceChildren(
    ...rows
      .filter((row) => row.activation !== undefined)
      .map((row) => {
        const tr = document.createElement('tr');
        tr.dataset.extension = row.identifier;
        tr.dataset.state = row.state;
        const state = document.createElement('span');
        state.className = `badge badge-${runtimeTone(row)}`;
        state.dataset.testid = `runtime-state-${row.identifier}`;
        state.textContent = row.activation?.activating ? `${row.state} · activating` : row.state;
        const idle = row.activation?.idleAfterMs;
        const cells: (string | Node)[] = [
          row.identifier,
          state,
          `${row.activation?.policy ?? ''}${idle === undefined ? '' : ` · idle ${duration(idle)}`}`,
          row.pid === undefined ? '—' : String(row.pid),
          row.state === 'running' ? (row.busy?.length ? row.busy.join(', ') : 'idle') : '—',
          row.activation?.lastExitReason ?? '',
        ];
        const button = document.createElement('button');
        button.type = 'button';
        const action = row.state === 'running' ? 'hibernate' : 'wake';
        button.textContent = action === 'hibernate' ? 'Hibernate' : 'Wake';
        button.dataset.testid = `runtime-${action}-${row.identifier}`;
        button.disabled = row.state !== 'running' && row.state !== 'hibernated';
        button.addEventListener('click', () => {
          button.disabled = true;
          act(row.identifier, action);
        });
        cells.push(button);
        for (const cell of cells) {
          const td = document.createElement('td');
          td.append(cell);
          tr.append(td);
        }
        return tr;
      }),
  );
}
