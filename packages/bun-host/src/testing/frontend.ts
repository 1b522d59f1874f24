/**
 * The frontend double of a backend test host: each "tab" is the real host bridge on a real
 * WebSocket and the real frontend SDK, with the extension mounted as a module the kit provides
 * (no bundle file): its `setup` records what the backend sends and registers the frontend
 * process handlers the test scripts. So the backend half meets exactly what a browser tab would
 * send and receive.
 */
import { createExtensionHost, type ExtensionHost } from '@spindle/frontend-sdk';
import { type BridgeErrorEvent, connectHostBridge, type HostBridge } from '@spindle/host-bridge';
import {
  type ExtensionInfoDTO,
  SpindleError,
  type SpindleFrontendContext,
  type SpindleFrontendProcessHandler,
} from '@spindle/types';
import { waitFor } from './wait.ts';

/** A message the backend sent to a tab (`spindle.sendToFrontend`). */
export interface FrontendMessage {
  payload: unknown;
  /** The user of the tab that received it. */
  userId: string;
  /** The session (tab) that received it. */
  frontendSessionId: string;
}

/** One tab: a session of one user with the extension mounted. */
export interface TestTab {
  readonly userId: string;
  readonly sessionId: string;
  /** The `ctx` the extension's frontend half would get in this tab. */
  readonly ctx: SpindleFrontendContext;
  /** Messages this tab received, in order. */
  readonly messages: readonly FrontendMessage[];
  /**
   * What the host refused of this tab, in order: its `error` frames (`code`, `message`, the
   * refused uplink's `seq`), e.g. `RUNTIME_BUSY` or `EXTENSION_INACTIVE` for a message.
   */
  readonly errors: readonly BridgeErrorEvent[];
  /** `ctx.sendToBackend(payload)` from this tab. */
  send(payload: unknown): void;
  /** Closes the tab (its session ends; the backend sees `FRONTEND_SESSION_CLOSED`). */
  close(): Promise<void>;
}

/** Options of the waits. */
export interface WaitOptions {
  /** @default 10000 */
  timeoutMs?: number;
}

/** The frontend double (see the module comment). */
export interface TestFrontend {
  /** Every open tab, in the order they opened. */
  readonly tabs: readonly TestTab[];
  /** The first open tab of `userId` (of the first user when omitted). */
  tab(userId?: string): TestTab;
  /** Opens another tab for `userId` and resolves once the extension is mounted in it. */
  open(userId: string): Promise<TestTab>;
  /**
   * `ctx.sendToBackend(payload)` from a tab: `{ userId }` picks that user's first tab,
   * `{ tab }` a given one. @default the first user's first tab
   */
  send(payload: unknown, options?: { userId?: string; tab?: TestTab }): void;
  /** Messages every tab received, in order of arrival. */
  readonly messages: readonly FrontendMessage[];
  /** Calls `handler` for each message from now on; returns the unsubscribe. */
  onMessage(handler: (message: FrontendMessage) => void): () => void;
  /**
   * The first message (already received or still to come) that `match` accepts; rejects after
   * the timeout with what did arrive.
   */
  waitForMessage(
    match?: (message: FrontendMessage) => boolean,
    options?: WaitOptions,
  ): Promise<FrontendMessage>;
  /** Frontend processes, as the tabs run them. */
  readonly processes: {
    /**
     * Registers `handler` for `kind` in every tab, open and still to open (of `userId` alone
     * when given); returns the unregistration.
     */
    register(
      kind: string,
      handler: SpindleFrontendProcessHandler,
      options?: { userId?: string },
    ): () => void;
  };
}

interface Registration {
  kind: string;
  handler: SpindleFrontendProcessHandler;
  userId?: string;
}

interface OpenTab extends TestTab {
  unregister: Map<Registration, () => void>;
}

/** What the double needs from the test host. */
export interface FrontendDoubleDeps {
  wsUrl: string;
  /** The token of each user. */
  tokens: ReadonlyMap<string, string>;
  extensionId: string;
  /** Tracks a cleanup for `dispose()`. */
  onCleanup(cleanup: () => unknown): void;
}

/** Builds the double; `open(userId)` makes each tab. */
export function createFrontendDouble(deps: FrontendDoubleDeps): TestFrontend {
  const tabs: OpenTab[] = [];
  const messages: FrontendMessage[] = [];
  const listeners = new Set<(message: FrontendMessage) => void>();
  const registrations = new Set<Registration>();
  const users = [...deps.tokens.keys()];

  const apply = (tab: OpenTab, registration: Registration) => {
    if (registration.userId !== undefined && registration.userId !== tab.userId) return;
    tab.unregister.set(
      registration,
      tab.ctx.processes.register(registration.kind, registration.handler),
    );
  };

  const open = async (userId: string): Promise<TestTab> => {
    const token = deps.tokens.get(userId);
    if (token === undefined) {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `test frontend: no user "${userId}" (users: ${users.join(', ')})`,
      );
    }
    const bridge: HostBridge = connectHostBridge({ url: deps.wsUrl, token });
    const tabErrors: BridgeErrorEvent[] = [];
    bridge.events.on('error', (error) => {
      if (error.source === 'host') tabErrors.push(error);
    });
    let sdk: ExtensionHost | undefined;
    let self: OpenTab | undefined;
    const close = async () => {
      sdk?.close();
      bridge.close();
      const at = self ? tabs.indexOf(self) : -1;
      if (at !== -1) tabs.splice(at, 1);
    };
    deps.onCleanup(close);
    await waitFor(() => bridge.connectionState === 'open', `${userId}'s tab to connect`, {
      timeoutMs: 10_000,
      describe: () => `the bridge is ${bridge.connectionState}`,
    });
    const info = bridge.extensions.find((e) => e.identifier === deps.extensionId) as
      | ExtensionInfoDTO
      | undefined;
    if (info === undefined) {
      throw new SpindleError(
        'EXTENSION_NOT_FOUND',
        `test frontend: the host lists no ${deps.extensionId}`,
      );
    }
    let captured: SpindleFrontendContext | undefined;
    const tabMessages: FrontendMessage[] = [];
    sdk = createExtensionHost({
      transport: bridge,
      document: null,
      lanes: 1,
      loader: async () => ({
        setup(ctx: SpindleFrontendContext) {
          captured = ctx;
          ctx.onBackendMessage((payload) => {
            const message = {
              payload,
              userId,
              frontendSessionId: bridge.sessionId ?? '',
            };
            tabMessages.push(message);
            messages.push(message);
            for (const listener of listeners) listener(message);
          });
        },
      }),
    });
    const mounted = await sdk.load({
      manifest: info.manifest,
      source: '/* @spindle/bun-host/testing */',
      ...(info.host ? { host: info.host } : {}),
      ...(info.grantedPermissions ? { grantedPermissions: info.grantedPermissions } : {}),
    }).settled;
    if (mounted.state !== 'ready' || captured === undefined) {
      throw new SpindleError(
        'SETUP_FAILED',
        `test frontend: mounting failed (${mounted.error ?? mounted.state})`,
      );
    }
    const ctx = captured;
    const tab: OpenTab = {
      userId,
      sessionId: bridge.sessionId ?? '',
      ctx,
      messages: tabMessages,
      errors: tabErrors,
      send: (payload) => void ctx.sendToBackend(payload),
      close,
      unregister: new Map(),
    };
    self = tab;
    tabs.push(tab);
    for (const registration of registrations) apply(tab, registration);
    return tab;
  };

  const tab = (userId: string = users[0] as string): TestTab => {
    const found = tabs.find((t) => t.userId === userId);
    if (!found) {
      throw new SpindleError('INVALID_OPTIONS', `test frontend: ${userId} has no open tab`);
    }
    return found;
  };

  return {
    tabs,
    tab,
    open,
    send(payload, options = {}) {
      (options.tab ?? tab(options.userId)).send(payload);
    },
    messages,
    onMessage(handler) {
      listeners.add(handler);
      return () => listeners.delete(handler);
    },
    async waitForMessage(match = () => true, options = {}) {
      let found: FrontendMessage | undefined;
      await waitFor(
        () => {
          found = messages.find(match);
          return found !== undefined;
        },
        'a message from the backend',
        {
          timeoutMs: options.timeoutMs ?? 10_000,
          describe: () =>
            `received ${JSON.stringify(messages.map((m) => m.payload)).slice(0, 2000)}`,
        },
      );
      return found as FrontendMessage;
    },
    processes: {
      register(kind, handler, options = {}) {
        const registration: Registration = {
          kind,
          handler,
          ...(options.userId === undefined ? {} : { userId: options.userId }),
        };
        registrations.add(registration);
        for (const open of tabs) apply(open, registration);
        return () => {
          registrations.delete(registration);
          for (const open of tabs) {
            open.unregister.get(registration)?.();
            open.unregister.delete(registration);
          }
        };
      },
    },
  };
}
