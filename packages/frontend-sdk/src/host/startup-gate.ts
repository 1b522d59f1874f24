/**
 * What arrives for an extension before it is ready (backend messages, process spawns and what
 * follows them) waits here, bounded, and is replayed exactly once when the extension becomes
 * ready. A gate belongs to one load: a newer load gets a new, empty gate.
 */
import type { DriverToRealm } from '../process/protocol.ts';

/**
 * Backend messages and process spawns/messages kept per extension load until it is ready.
 * @default 256
 */
export const DEFAULT_STARTUP_QUEUE_LIMIT = 256;

/** One held delivery. */
export type GateItem =
  | { type: 'backend_message'; payload: unknown }
  | { type: 'realm'; message: DriverToRealm };

/** The per-load startup queue. */
export class StartupGate {
  private readonly items: GateItem[] = [];
  private state: 'holding' | 'replaying' | 'open' | 'closed' = 'holding';
  /** Items refused because the gate was full. */
  dropped = 0;

  constructor(
    private readonly limit: number,
    private readonly deliver: (item: GateItem) => void,
    /** A held spawn was withdrawn by an `end` before its handler ever ran. */
    private readonly onWithdrawn: (processId: string) => void = () => {},
  ) {}

  /** True once replay finished and deliveries go straight through. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Items waiting. */
  get size(): number {
    return this.items.length;
  }

  /**
   * Delivers now when open, holds otherwise. Returns false when a countable item (backend
   * message, spawn, process message) was refused because the gate is full or closed; control
   * messages (`stop`, `end`) are never refused while holding.
   */
  push(item: GateItem): boolean {
    if (this.state === 'closed') return false;
    if (this.state === 'open') {
      this.deliver(item);
      return true;
    }
    const control =
      item.type === 'realm' && (item.message.type === 'stop' || item.message.type === 'end');
    if (control && item.message.type === 'end' && this.purge(item.message.processId)) {
      // The handler never started: nothing on the handler side to end.
      this.onWithdrawn(item.message.processId);
      return true;
    }
    if (!control && this.items.length >= this.limit) {
      this.dropped += 1;
      return false;
    }
    this.items.push(item);
    return true;
  }

  /** Replays everything held, in order, exactly once; then deliveries go straight through. */
  release(): void {
    if (this.state !== 'holding') return;
    this.state = 'replaying';
    // Items pushed during replay join the end of the same queue, which keeps the order.
    while (this.items.length > 0 && this.state === 'replaying') this.deliver(this.items.shift()!);
    if (this.state === 'replaying') this.state = 'open';
  }

  /** Closes the gate and returns what it still held (never delivered). */
  close(): GateItem[] {
    this.state = 'closed';
    return this.items.splice(0);
  }

  /** Removes a held spawn and everything held for its process; true when a spawn was held. */
  private purge(processId: string): boolean {
    const held = this.items.findIndex(
      (i) => i.type === 'realm' && i.message.type === 'spawn' && i.message.processId === processId,
    );
    if (held === -1) return false;
    for (let i = this.items.length - 1; i >= 0; i -= 1) {
      const item = this.items[i]!;
      if (item.type === 'realm' && item.message.processId === processId) this.items.splice(i, 1);
    }
    return true;
  }
}
