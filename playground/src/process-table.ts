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
