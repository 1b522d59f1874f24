/**
 * Messages not yet handed to the transport. While the transport is not `open` they wait here,
 * bounded; on `open` they are flushed in order. Nothing is dropped without a return value, an
 * event and a counter saying so.
 */
import type { FrontendUplink } from '@spindle/types';
import type { SendOutcome } from '../realm/realm.ts';
import type { Transport, TransportState } from '../transport.ts';

/**
 * Messages kept while the transport is not open, per extension host.
 * @default 1000
 */
export const DEFAULT_OUTBOUND_LIMIT = 1000;

/**
 * Lifecycle reports the host cannot do without. Their number is bounded by the number of
 * extensions and processes, so they are queued even past the limit; the limit applies to
 * payload traffic (backend and process messages, heartbeats).
 */
export const LIFECYCLE_UPLINKS: ReadonlySet<FrontendUplink['type']> = new Set([
  'extension_mounted',
  'extension_unmounted',
  'process_ready',
  'process_ended',
]);

/** Why an outgoing message was not handed over. */
export type OutboundDropReason = 'queue_full' | 'transport_error' | 'host_closed';

/** Callbacks of the outbound queue. */
export interface OutboundHooks {
  onDrop(message: FrontendUplink, reason: OutboundDropReason, error?: unknown): void;
  /** Called on every transition to `open` after the first, before the queue is flushed. */
  onReopen(send: (message: FrontendUplink) => void): void;
}

/** The SDK's queue in front of the transport. */
export class OutboundQueue {
  private readonly queue: FrontendUplink[] = [];
  private wasOpen = false;
  private flushing = false;
  private readonly unsubscribe: () => void;
  /** Messages dropped since creation. */
  dropped = 0;

  constructor(
    private readonly transport: Transport,
    private readonly limit: number,
    private readonly hooks: OutboundHooks,
  ) {
    this.wasOpen = transport.state === 'open';
    this.unsubscribe = transport.onStateChange((state) => this.onState(state));
  }

  /** Messages waiting for the transport. */
  get size(): number {
    return this.queue.length;
  }

  /** Hands `message` over now, or queues it; `dropped` when the queue is full. */
  send(message: FrontendUplink): SendOutcome {
    if (this.transport.state === 'open' && this.queue.length === 0 && !this.flushing) {
      return this.handOver(message) ? 'sent' : 'dropped';
    }
    // Only the newest heartbeat of a process matters to the host.
    if (
      message.type === 'process_heartbeat' &&
      this.queue.some((m) => m.type === 'process_heartbeat' && m.processId === message.processId)
    ) {
      return 'queued';
    }
    if (this.queue.length >= this.limit && !LIFECYCLE_UPLINKS.has(message.type)) {
      this.dropped += 1;
      this.hooks.onDrop(message, 'queue_full');
      return 'dropped';
    }
    this.queue.push(message);
    if (this.transport.state === 'open' && !this.flushing) this.flush();
    return 'queued';
  }

  /** Stops listening to the transport; queued messages are reported as dropped. */
  close(): void {
    this.unsubscribe();
    for (const message of this.queue.splice(0)) {
      this.dropped += 1;
      this.hooks.onDrop(message, 'host_closed');
    }
  }

  private onState(state: TransportState): void {
    if (state !== 'open') return;
    if (this.wasOpen) this.hooks.onReopen((message) => this.handOver(message));
    this.wasOpen = true;
    this.flush();
  }

  private flush(): void {
    this.flushing = true;
    try {
      while (this.queue.length > 0 && this.transport.state === 'open') {
        this.handOver(this.queue.shift()!);
      }
    } finally {
      this.flushing = false;
    }
  }

  private handOver(message: FrontendUplink): boolean {
    try {
      // A transport may refuse a message by returning `false` (the host bridge does, when its
      // buffer is full or the frame is too large): that is a drop, not a send.
      if ((this.transport.send(message) as unknown) === false) {
        this.dropped += 1;
        this.hooks.onDrop(message, 'transport_error');
        return false;
      }
      return true;
    } catch (error) {
      this.dropped += 1;
      this.hooks.onDrop(message, 'transport_error', error);
      return false;
    }
  }
}
