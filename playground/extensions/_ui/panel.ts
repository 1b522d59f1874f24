/**
 * A small panel helper the demo frontends share (bundled into each one). Panels go into the
 * playground's `#extension-panels` grid, or the body when a host page has no such slot.
 */
export interface Panel {
  root: HTMLElement;
  body: HTMLElement;
  status(text: string, tone?: 'idle' | 'ok' | 'warn' | 'bad'): void;
  button(label: string, onClick: () => void, testId?: string): HTMLButtonElement;
  log(line: string): void;
  remove(): void;
}

export function createPanel(id: string, title: string, subtitle: string): Panel {
  const root = document.createElement('section');
  root.className = 'ext-panel';
  root.dataset.extension = id;
  root.setAttribute('aria-label', title);
  const header = document.createElement('header');
  const h = document.createElement('h2');
  h.textContent = title;
  const badge = document.createElement('span');
  badge.className = 'badge badge-idle';
  badge.dataset.testid = `${id}-status`;
  badge.textContent = 'idle';
  header.append(h, badge);
  const sub = document.createElement('p');
  sub.className = 'ext-sub';
  sub.textContent = subtitle;
  const body = document.createElement('div');
  body.className = 'ext-body';
  const actions = document.createElement('div');
  actions.className = 'ext-actions';
  const logEl = document.createElement('ol');
  logEl.className = 'ext-log';
  logEl.dataset.testid = `${id}-log`;
  root.append(header, sub, body, actions, logEl);
  (document.getElementById('extension-panels') ?? document.body).append(root);

  return {
    root,
    body,
    status(text, tone = 'idle') {
      badge.textContent = text;
      badge.className = `badge badge-${tone}`;
    },
    button(label, onClick, testId) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      if (testId) b.dataset.testid = testId;
      b.addEventListener('click', onClick);
      actions.append(b);
      return b;
    },
    log(line) {
      const li = document.createElement('li');
      li.textContent = `${new Date().toLocaleTimeString()}  ${line}`;
      logEl.prepend(li);
      while (logEl.childElementCount > 50) logEl.lastElementChild?.remove();
    },
    remove() {
      root.remove();
    },
  };
}

/** Maps a process state to a badge tone. */
export function toneOf(state: string): 'idle' | 'ok' | 'warn' | 'bad' {
  if (state === 'running' || state === 'completed') return 'ok';
  if (state === 'starting' || state === 'stopping' || state === 'stopped') return 'warn';
  if (state === 'failed' || state === 'timed_out') return 'bad';
  return 'idle';
}
