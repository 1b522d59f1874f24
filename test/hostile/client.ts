/**
 * Clients of the hostile suites: `WireClient`, a well-behaved tab over Bun's WebSocket (hello,
 * numbered uplinks, acks unless told not to), and `RawClient`, a hand-made WebSocket over a TCP
 * socket bound to a chosen loopback address, for what no browser does: hoard upgrades, never
 * read, come from another address.
 */
import net from 'node:net';
import { PROTOCOL_VERSION, type ServerFrame } from '@spindle/types';
import { TOKENS, type Who } from './tokens.ts';

/** The fixture extensions a tab mounts unless told otherwise. */
const MOUNTED = ['echo', 'hog', 'spinner', 'sink', 'noisy', 'chatty', 'broken', 'digger'];

/** A tab of `who`, with every frame it received. */
export class WireClient {
  readonly ws: WebSocket;
  readonly frames: ServerFrame[] = [];
  sessionId = '';
  closed: { code: number; reason: string } | undefined;
  #seq = 0;
  #waiters = new Set<() => void>();

  private constructor(
    url: string,
    readonly ack: boolean,
  ) {
    this.ws = new WebSocket(url);
    this.ws.addEventListener('message', (event) => {
      const parsed = JSON.parse(String(event.data)) as ServerFrame | ServerFrame[];
      const frames = Array.isArray(parsed) ? parsed : [parsed];
      let last = 0;
      for (const frame of frames) {
        this.frames.push(frame);
        if ('seq' in frame && frame.type !== 'ack' && frame.type !== 'error')
          last = frame.seq as number;
      }
      if (this.ack && last > 0) this.ws.send(JSON.stringify({ type: 'ack', seq: last }));
      this.#wake();
    });
    this.ws.addEventListener('close', (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.#wake();
    });
  }

  /**
   * Connects as `who`, waits for the welcome and mounts `mount` (the extensions it talks to;
   * the host refuses messages to an extension that is not mounted in the session).
   */
  static async open(
    url: string,
    who: Who,
    options: { ack?: boolean; mount?: string[] } = {},
  ): Promise<WireClient> {
    const client = new WireClient(url, options.ack ?? true);
    await new Promise<void>((resolve, reject) => {
      client.ws.addEventListener('open', () => resolve(), { once: true });
      client.ws.addEventListener('error', () => reject(new Error('WebSocket failed')), {
        once: true,
      });
    });
    client.ws.send(
      JSON.stringify({
        type: 'hello',
        protocolVersion: PROTOCOL_VERSION,
        token: TOKENS[who].token,
      }),
    );
    const welcome = await client.next((f) => f.type === 'welcome', 'welcome');
    client.sessionId = (welcome as { frontendSessionId: string }).frontendSessionId;
    for (const extensionId of options.mount ?? MOUNTED) {
      client.ws.send(
        JSON.stringify({ type: 'extension_mounted', extensionId, seq: client.nextSeq() }),
      );
    }
    return client;
  }

  /** The next uplink's `seq`. */
  nextSeq(): number {
    this.#seq += 1;
    return this.#seq;
  }

  /** `sendToBackend(payload)` for `extensionId`; returns its `seq`. */
  send(extensionId: string, payload: unknown): number {
    const seq = this.nextSeq();
    this.ws.send(JSON.stringify({ type: 'backend_message', extensionId, payload, seq }));
    return seq;
  }

  /** Sends raw text as one WebSocket message (a batch the caller built). */
  sendText(text: string): void {
    this.ws.send(text);
  }

  /** Frames matching `predicate`. */
  where(predicate: (frame: ServerFrame) => boolean): ServerFrame[] {
    return this.frames.filter(predicate);
  }

  /** Backend messages of `extensionId` whose payload matches `predicate`. */
  replies(
    extensionId: string,
    predicate: (payload: Record<string, unknown>) => boolean = () => true,
  ) {
    return this.frames
      .filter((f) => f.type === 'backend_message' && f.extensionId === extensionId)
      .map((f) => (f as { payload: Record<string, unknown> }).payload)
      .filter(predicate);
  }

  /** Waits for a frame matching `predicate` (bounded). */
  async next(predicate: (frame: ServerFrame) => boolean, what: string, timeoutMs = 15_000) {
    let found: ServerFrame | undefined;
    await this.until(
      () => {
        found = this.frames.find(predicate);
        return found !== undefined;
      },
      what,
      timeoutMs,
    );
    return found as ServerFrame;
  }

  /** Waits until `condition` holds (bounded); fails early if the socket closed. */
  async until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`client: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 20);
        const waiters = this.#waiters;
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  close(): void {
    if (this.ws.readyState <= WebSocket.OPEN) this.ws.close();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** Encodes one masked client text frame. */
function encodeFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x81, 0x80 | length])
      : length < 65_536
        ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff])
        : Buffer.from([
            0x81,
            0x80 | 127,
            0,
            0,
            0,
            0,
            (length >>> 24) & 0xff,
            (length >>> 16) & 0xff,
            (length >>> 8) & 0xff,
            length & 0xff,
          ]);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([header, mask, masked]);
}

/** A hand-made WebSocket client from `localAddress` (a loopback address of the test's choice). */
export class RawClient {
  /** The start of what was received (upgrade answer, first frames), as latin1. */
  received = '';
  bytesReceived = 0;
  ended = false;
  status = 0;

  private constructor(readonly socket: net.Socket) {}

  /**
   * Connects and asks for an upgrade; resolves once the host answered (`status` 101 for an open
   * WebSocket, or the refusal's status).
   */
  static connect(port: number, localAddress: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress });
      const client = new RawClient(socket);
      let answered = false;
      socket.on('data', (data: Buffer) => {
        client.bytesReceived += data.length;
        if (client.received.length < 16_384) client.received += data.toString('latin1');
        if (!answered && client.received.includes('\r\n\r\n')) {
          answered = true;
          client.status = Number(/^HTTP\/1\.1 (\d+)/.exec(client.received)?.[1] ?? 0);
          resolve(client);
        }
      });
      socket.on('close', () => {
        client.ended = true;
        if (!answered) resolve(client);
      });
      socket.on('error', (error) => {
        if (!answered) reject(error);
      });
      socket.on('connect', () => {
        socket.write(
          `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
      });
    });
  }

  /** Sends one text message. */
  sendText(text: string): void {
    this.socket.write(encodeFrame(text));
  }

  /** Sends `hello` with the token of `who` (or any token). */
  hello(token: string): void {
    this.sendText(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token }));
  }

  /** Stops reading: the host's writes back up into its socket. */
  stopReading(): void {
    this.socket.pause();
  }

  /** Waits until `condition` holds (bounded). */
  async until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`raw client: timed out waiting for ${what}`);
      await Bun.sleep(20);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
