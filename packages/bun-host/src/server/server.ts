/**
 * `createHostServer`: the Bun.serve edge of the frontend side, the host's own handlers
 * (`handlers.ts`) behind a server of their own. An app that wants the host on its own server
 * mounts `createHostHandlers` instead.
 */
import type { ExtensionInfoDTO } from '@spindle/types';
import type { Server } from 'bun';
import type { WireCounters } from './counters.ts';
import { createHostHandlers, type HostHandlerOptions, type HostSocketData } from './handlers.ts';

/** Options of `createHostServer`: the handlers', plus where to listen. */
export interface HostServerOptions extends HostHandlerOptions {
  /** Interface to listen on; keep loopback unless a proxy in front terminates TLS. @default "127.0.0.1" */
  hostname?: string;
  /** Port; 0 picks a free one (read it back from `port`). @default 0 */
  port?: number;
}

/** A running host server. */
export interface RunningHostServer {
  /** The port actually bound. */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** `ws://host:port/ws`. */
  readonly wsUrl: string;
  /** Open WebSocket connections (handshaking ones included). */
  readonly connectionCount: number;
  /** Traffic and admission counters since start (a snapshot). */
  counters(): WireCounters;
  /**
   * `info` with the server's versioned `frontendUrl` (or none). The server installs it on the
   * hub, so `extension_state` downlinks get it without the host core doing anything.
   */
  describeExtension(info: ExtensionInfoDTO): ExtensionInfoDTO;
  /**
   * Closes every connection (`HOST_SHUTDOWN`, with `reason` when given), ends every hub session
   * and stops listening. Idempotent.
   */
  stop(reason?: string): Promise<void>;
}

/** Starts the HTTP + WebSocket server of the host. */
export function createHostServer(options: HostServerOptions): RunningHostServer {
  const handlers = createHostHandlers(options);
  let stopping: Promise<void> | undefined;
  const server: Server<HostSocketData> = Bun.serve<HostSocketData>({
    hostname: options.hostname ?? '127.0.0.1',
    port: options.port ?? 0,
    // Never Bun's development error pages: they would show host source to any client.
    development: false,
    fetch: (request, srv) => {
      if (!handlers.owns(request)) {
        return new Response('[spindle] not found', { status: 404 });
      }
      return handlers.fetch(request, srv);
    },
    websocket: handlers.websocket,
  });
  const hostname = server.hostname ?? options.hostname ?? '127.0.0.1';
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  const port = server.port ?? 0;
  return {
    port,
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}${handlers.basePath}/ws`,
    get connectionCount() {
      return handlers.connectionCount;
    },
    counters: () => handlers.counters(),
    describeExtension: (info) => handlers.describeExtension(info),
    stop(reason) {
      stopping ??= (async () => {
        await handlers.close(reason);
        await server.stop(true);
      })();
      return stopping;
    },
  };
}
