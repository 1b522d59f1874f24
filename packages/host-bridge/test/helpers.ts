/** Shared set-up for the bridge's unit tests: a bridge over fake sockets, and host frames. */
import type {
  ExtensionInfoDTO,
  ExtensionStateDTO,
  FrontendUplink,
  ServerFrame,
  WelcomeFrame,
} from '@spindle/types';
import { DEFAULT_WIRE_LIMITS, PROTOCOL_VERSION } from '@spindle/types';
import type { HostBridge, HostBridgeEvents, HostBridgeOptions } from '../src/index.ts';
import { connectHostBridge } from '../src/index.ts';
import { fakeSockets } from './fake-websocket.ts';

/** A `welcome` with overridable fields. */
export function welcome(fields: Partial<WelcomeFrame> = {}): WelcomeFrame {
  return {
    type: 'welcome',
    protocolVersion: PROTOCOL_VERSION,
    frontendSessionId: 's-1',
    userId: 'u-1',
    resumed: false,
    lastClientSeq: 0,
    isAdmin: false,
    extensions: [],
    limits: DEFAULT_WIRE_LIMITS,
    ...fields,
  };
}

/** An extension as the host lists it, with a valid manifest. */
export function extensionInfo(
  identifier: string,
  state: ExtensionStateDTO = 'running',
): ExtensionInfoDTO {
  return {
    identifier,
    state,
    manifest: {
      version: '1.0.0',
      name: identifier,
      identifier,
      author: 'test',
      github: 'https://github.com/example/ext',
      homepage: 'https://example.com',
      permissions: [],
    },
  };
}

/** A sequenced `backend_message` downlink. */
export function downlink(seq: number, payload: unknown = seq): ServerFrame {
  return { type: 'backend_message', extensionId: 'ext', payload, seq };
}

/** An uplink carrying `n`. */
export function uplink(n: number): FrontendUplink {
  return { type: 'backend_message', extensionId: 'ext', payload: n };
}

/** Records every event of a bridge, by type. */
export function recordEvents(bridge: HostBridge) {
  const log: { type: keyof HostBridgeEvents; event: unknown }[] = [];
  bridge.events.on('*', (type, event) => {
    log.push({ type, event });
  });
  return {
    log,
    of<K extends keyof HostBridgeEvents>(type: K): HostBridgeEvents[K][] {
      return log
        .filter((entry) => entry.type === type)
        .map((entry) => entry.event as HostBridgeEvents[K]);
    },
  };
}

/** A bridge over fake sockets; `open()` completes the handshake of the newest socket. */
export function setup(options: Partial<HostBridgeOptions> = {}) {
  const fakes = fakeSockets();
  const bridge = connectHostBridge({
    url: 'ws://host.test/spindle',
    token: 'tok',
    WebSocket: fakes.WebSocket,
    // Timers read at call time, so vitest's fake timers apply; turns end when the test says.
    timers: {
      setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      now: () => Date.now(),
      queueMicrotask: fakes.queueMicrotask,
    },
    random: () => 0.5,
    pingIntervalMs: 0,
    ...options,
  });
  const events = recordEvents(bridge);
  const received: unknown[] = [];
  bridge.onMessage((message) => received.push(message));
  return {
    bridge,
    fakes,
    events,
    /** Downlinks the app received, in order. */
    received,
    /** Accepts the newest socket and answers its hello with `welcome(fields)`. */
    open(fields: Partial<WelcomeFrame> = {}) {
      const socket = fakes.last;
      socket.accept();
      socket.push(welcome(fields));
      return socket;
    },
  };
}
