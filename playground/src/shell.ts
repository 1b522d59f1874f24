/**
 * The playground's app shell: the surfaces an app gives extensions on top of the runtime,
 * contributed to each extension's `ctx` through `createExtensionHost({ contributeContext })`:
 * `ctx.ui.registerDrawerTab` (tabs in the drawer), `ctx.ui.showModal` / `showConfirm`,
 * `ctx.toast` and `ctx.events` (the app's page events, such as `CHAT_SWITCHED`). Everything an
 * extension made is removed when its load ends (the contribution's `dispose`).
 */
import type { ContextContribution, ContributionTarget } from '@spindle/frontend-sdk';
import mitt from 'mitt';

type Listener = (payload: unknown) => void;

/** The page's event bus, which `ctx.events` exposes to extensions. */
export const appEvents = mitt<Record<string, unknown>>();

interface DrawerTab {
  button: HTMLButtonElement;
  badge: HTMLSpanElement;
  root: HTMLElement;
  activate: Set<() => void>;
}

/** The shell over the page's drawer, modal layer and toast stack. */
export class AppShell {
  readonly #tabs = new Map<string, DrawerTab>();
  #active: string | undefined;

  constructor(
    private readonly drawer: { strip: HTMLElement; panels: HTMLElement; empty: HTMLElement },
    private readonly modals: HTMLElement,
    private readonly toasts: HTMLElement,
  ) {}

  /** `contributeContext` of `createExtensionHost`. */
  contribute = (target: ContributionTarget): ContextContribution => {
    const owned: Array<() => void> = [];
    const track = (undo: () => void) => {
      owned.push(undo);
      return undo;
    };
    const ext = target.extensionId;
    return {
      members: {
        ui: Object.freeze({
          registerDrawerTab: (options: { id: string; title: string; shortName?: string }) =>
            this.#registerTab(`${ext}:${options.id}`, options, track),
          showModal: (options: { title: string }) => this.#showModal(options.title, track),
          showConfirm: (options: {
            title: string;
            message: string;
            confirmLabel?: string;
            cancelLabel?: string;
          }) => this.#showConfirm(options, track),
        }),
        toast: Object.freeze({
          info: (message: string, o?: { title?: string }) =>
            this.#toast('info', message, o?.title ?? target.manifest.name),
          success: (message: string, o?: { title?: string }) =>
            this.#toast('ok', message, o?.title ?? target.manifest.name),
          warning: (message: string, o?: { title?: string }) =>
            this.#toast('warn', message, o?.title ?? target.manifest.name),
          error: (message: string, o?: { title?: string }) =>
            this.#toast('bad', message, o?.title ?? target.manifest.name),
        }),
        events: Object.freeze({
          on: (event: string, handler: Listener) => {
            appEvents.on(event, handler);
            return track(() => appEvents.off(event, handler));
          },
          emit: (event: string, payload: unknown) => appEvents.emit(`${ext}:${event}`, payload),
        }),
      },
      dispose: () => {
        for (const undo of owned.splice(0).reverse()) undo();
      },
    };
  };

  #registerTab(
    id: string,
    options: { title: string; shortName?: string },
    track: (undo: () => void) => () => void,
  ) {
    this.#tabs.get(id)?.button.remove();
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'drawer-tab';
    button.dataset.testid = `drawer-tab-${id}`;
    button.textContent = options.shortName ?? options.title;
    const badge = document.createElement('span');
    badge.className = 'drawer-badge';
    button.append(badge);
    const root = document.createElement('section');
    root.className = 'drawer-panel';
    root.hidden = true;
    root.setAttribute('aria-label', options.title);
    this.drawer.strip.append(button);
    this.drawer.panels.append(root);
    const tab: DrawerTab = { button, badge, root, activate: new Set() };
    this.#tabs.set(id, tab);
    button.addEventListener('click', () => this.#activate(id));
    if (this.#active === undefined) this.#activate(id);
    this.#renderEmpty();
    const destroy = track(() => {
      if (this.#tabs.get(id) !== tab) return;
      this.#tabs.delete(id);
      button.remove();
      root.remove();
      if (this.#active === id) {
        this.#active = undefined;
        const next = this.#tabs.keys().next();
        if (!next.done) this.#activate(next.value);
      }
      this.#renderEmpty();
    });
    return {
      root,
      tabId: id,
      setTitle: (title: string) => root.setAttribute('aria-label', title),
      setShortName: (name: string) => {
        button.firstChild!.textContent = name;
      },
      setBadge: (text: string | null) => {
        badge.textContent = text ?? '';
      },
      activate: () => this.#activate(id),
      onActivate: (handler: () => void) => {
        tab.activate.add(handler);
        return () => tab.activate.delete(handler);
      },
      destroy,
    };
  }

  #activate(id: string) {
    this.#active = id;
    for (const [tabId, tab] of this.#tabs) {
      const on = tabId === id;
      tab.root.hidden = !on;
      tab.button.classList.toggle('active', on);
      if (on) for (const handler of [...tab.activate]) handler();
    }
  }

  #renderEmpty() {
    this.drawer.empty.hidden = this.#tabs.size > 0;
  }

  #showModal(title: string, track: (undo: () => void) => () => void) {
    const dialog = document.createElement('div');
    dialog.className = 'modal';
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-label', title);
    const header = document.createElement('header');
    const h = document.createElement('h2');
    h.textContent = title;
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = '×';
    close.setAttribute('aria-label', 'Close');
    header.append(h, close);
    const root = document.createElement('div');
    root.className = 'modal-body';
    dialog.append(header, root);
    this.modals.append(dialog);
    this.modals.hidden = false;
    const dismissed = new Set<() => void>();
    let open = true;
    const dismiss = () => {
      if (!open) return;
      open = false;
      dialog.remove();
      this.modals.hidden = this.modals.childElementCount === 0;
      for (const handler of [...dismissed]) handler();
    };
    track(dismiss);
    close.addEventListener('click', dismiss);
    return {
      root,
      modalId: `modal-${Math.random().toString(36).slice(2)}`,
      dismiss,
      setTitle: (text: string) => {
        h.textContent = text;
      },
      onDismiss: (handler: () => void) => {
        dismissed.add(handler);
        return () => dismissed.delete(handler);
      },
    };
  }

  #showConfirm(
    options: { title: string; message: string; confirmLabel?: string; cancelLabel?: string },
    track: (undo: () => void) => () => void,
  ): Promise<{ confirmed: boolean }> {
    const modal = this.#showModal(options.title, track);
    modal.root.dataset.testid = 'confirm';
    const p = document.createElement('p');
    p.textContent = options.message;
    const yes = document.createElement('button');
    yes.type = 'button';
    yes.textContent = options.confirmLabel ?? 'Confirm';
    yes.dataset.testid = 'confirm-yes';
    const no = document.createElement('button');
    no.type = 'button';
    no.textContent = options.cancelLabel ?? 'Cancel';
    no.dataset.testid = 'confirm-no';
    modal.root.append(p, yes, no);
    return new Promise((resolve) => {
      let answer = false;
      modal.onDismiss(() => resolve({ confirmed: answer }));
      yes.addEventListener('click', () => {
        answer = true;
        modal.dismiss();
      });
      no.addEventListener('click', () => modal.dismiss());
    });
  }

  #toast(tone: string, message: string, title: string) {
    const toast = document.createElement('div');
    toast.className = `toast badge-${tone}`;
    toast.dataset.testid = 'toast';
    toast.textContent = `${title}: ${message}`;
    this.toasts.append(toast);
    setTimeout(() => toast.remove(), 4_000);
  }
}
