/**
 * A WebSocket client written by hand over `Bun.connect`, for what a browser-grade client will not
 * do: stop reading (so the server meets real TCP backpressure) or send arbitrary bytes.
 */
import type { Socket } from 'bun';

/** Encodes one masked client frame (text by default). */
export function encodeClientFrame(payload: Uint8Array, opcode = 0x1): Uint8Array {
  const length = payload.length;
  const header: number[] = [0x80 | opcode];
  if (length < 126) header.push(0x80 | length);
  else if (length < 65_536) header.push(0x80 | 126, length >> 8, length & 0xff);
  else {
    header.push(0x80 | 127, 0, 0, 0, 0);
    header.push(
      (length >>> 24) & 0xff,
      (length >>> 16) & 0xff,
      (length >>> 8) & 0xff,
      length & 0xff,
    );
  }
  const mask = [0x37, 0xfa, 0x21, 0x3d];
  const out = new Uint8Array(header.length + 4 + length);
  out.set(header, 0);
  out.set(mask, header.length);
  const offset = header.length + 4;
  for (let i = 0; i < length; i++) out[offset + i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return out;
}

/** A raw connection that has completed the HTTP upgrade. */
export class RawWebSocket {
  readonly socket: Socket<undefined>;
  /** Everything received, as latin1 text (enough to look for JSON fragments). */
  received = '';
  bytesReceived = 0;
  ended = false;
  #wakers: Array<() => void> = [];

  private constructor(socket: Socket<undefined>) {
    this.socket = socket;
  }

  static async connect(port: number): Promise<RawWebSocket> {
    let self: RawWebSocket | undefined;
    const pending: Buffer[] = [];
    const socket = await Bun.connect<undefined>({
      hostname: '127.0.0.1',
      port,
      socket: {
        data(_socket, data) {
          if (self) self.#onData(data);
          else pending.push(Buffer.from(data));
        },
        close() {
          if (self) {
            self.ended = true;
            self.#wake();
          }
        },
      },
    });
    self = new RawWebSocket(socket);
    for (const chunk of pending) self.#onData(chunk);
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await self.until(() => self.received.includes('\r\n\r\n'), 'upgrade response');
    if (!self.received.startsWith('HTTP/1.1 101'))
      throw new Error(`upgrade refused: ${self.received.slice(0, 200)}`);
    return self;
  }

  sendText(text: string): void {
    this.socket.write(encodeClientFrame(new TextEncoder().encode(text)));
  }

  /** Waits until `condition` holds (10 s safety net). */
  async until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`raw socket: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.#wakers.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.terminate();
  }

  #onData(data: Uint8Array): void {
    this.bytesReceived += data.length;
    // Keep only the start: enough for the upgrade response and the welcome.
    if (this.received.length < 64 * 1024) this.received += Buffer.from(data).toString('latin1');
    this.#wake();
  }

  #wake(): void {
    const wakers = this.#wakers;
    this.#wakers = [];
    for (const wake of wakers) wake();
  }
}
