/**
 * What the bridge does with each frame the host sent, once it passed validation (or failed it):
 * the welcome goes back to the bridge; acks release uplinks; sequenced downlinks are checked
 * against the session ledger and delivered once; error frames are reported with the uplink they
 * name and may trigger a replay.
 */
import type {
  ErrorFrame,
  FrontendDownlink,
  ServerFrame,
  ValidationIssue,
  WelcomeFrame,
} from '@spindle/types';
import { failureFor } from './close-codes.ts';
import type { Connection } from './connection.ts';
import type { Notifier } from './notifier.ts';
import type { BridgeFailure } from './options.ts';
import type { Sender } from './sender.ts';
import type { Session } from './session.ts';

/** What frame handling needs from the bridge. */
export interface DownlinkContext {
  session(): Session;
  sender(): Sender;
  out: Notifier;
  /** True while `conn` is the bridge's current connection. */
  isCurrent(conn: Connection): boolean;
  welcome(conn: Connection, frame: WelcomeFrame): void;
  fail(failure: BridgeFailure): void;
}

/** Reports that the host broke the protocol; the frame in question was ignored or tolerated. */
export function protocolError(out: Notifier, message: string, frameType: string, seq?: number) {
  out.error({ source: 'protocol', code: 'INVALID_FRAME', message, frameType, seq });
}

/** A frame that failed validation (already ignored). */
export function onInvalidFrame(
  ctx: DownlinkContext,
  conn: Connection,
  issue: ValidationIssue,
): void {
  const { code, message, seq, frameType } = issue;
  ctx.out.error({ source: 'frame', code, message, seq, frameType });
  if (code === 'PROTOCOL_VERSION_MISMATCH' && frameType === 'welcome') {
    ctx.fail({ code, message });
  } else if (seq !== undefined && conn.welcomed && ctx.session().inbox.check(seq) === 'deliver') {
    // The protocol acks refused frames too; only the very next seq is trusted to count.
    ctx.session().receive(seq);
  }
}

/** A valid frame other than `pong`. */
export function onServerFrame(
  ctx: DownlinkContext,
  conn: Connection,
  frame: Exclude<ServerFrame, { type: 'pong' }>,
): void {
  if (frame.type === 'welcome') {
    ctx.welcome(conn, frame);
    return;
  }
  if (frame.type === 'error') {
    onErrorFrame(ctx, conn, frame);
    return;
  }
  if (!conn.welcomed) {
    ctx.out.error({
      source: 'protocol',
      code: 'HANDSHAKE_REQUIRED',
      message: `${frame.type} before welcome was ignored`,
      frameType: frame.type,
    });
    return;
  }
  const session = ctx.session();
  if (frame.type === 'ack') {
    const before = session.outbox.entries.length;
    if (session.outbox.ack(frame.seq)) {
      ctx.sender().progressed();
      const unacked = session.outbox.entries.length;
      if (unacked < before) ctx.out.emit('acked', { seq: frame.seq, unacked });
    } else {
      protocolError(
        ctx.out,
        `ack ${frame.seq} is beyond the last frame sent (${session.outbox.lastSeq})`,
        'ack',
        frame.seq,
      );
    }
    return;
  }
  const { seq, ...rest } = frame;
  const verdict = session.receive(seq);
  if (verdict === 'duplicate') return;
  if (verdict === 'gap') {
    protocolError(ctx.out, `downlink seq ${seq} skips ahead; delivered anyway`, frame.type, seq);
  }
  const message = rest as FrontendDownlink;
  session.observe(message);
  if (message.type === 'extension_state') ctx.out.emit('extension_state', message.extension);
  else if (message.type === 'extension_removed') {
    ctx.out.emit('extension_removed', { extensionId: message.extensionId });
  } else if (message.type === 'runtime_stats') ctx.out.emit('runtime_stats', message.event);
  if (ctx.isCurrent(conn)) ctx.out.deliver(message, seq);
}

function onErrorFrame(ctx: DownlinkContext, conn: Connection, frame: ErrorFrame): void {
  const session = ctx.session();
  const uplink = frame.seq === undefined ? undefined : session.outbox.find(frame.seq)?.message;
  const { code, message, seq, frameType } = frame;
  ctx.out.error({ source: 'host', code, message, seq, frameType, uplink });
  // Before `welcome` these codes answer our `hello`: no retry can succeed.
  if (!conn.welcomed && (code === 'UNAUTHORIZED' || code === 'PROTOCOL_VERSION_MISMATCH')) {
    ctx.fail(failureFor(code, message));
    return;
  }
  // The host skipped ahead of a frame it never got (dropped by its rate limit): an unacked
  // frame after the oldest one refused as INVALID_FRAME may be such a gap. When it was the
  // frame itself the host refused, the rewind only replays frames it drops as duplicates.
  const oldest = session.outbox.entries[0]?.seq;
  if (conn.welcomed && code === 'INVALID_FRAME' && uplink !== undefined && seq !== undefined) {
    if (oldest !== undefined && seq > oldest) ctx.sender().rewind(seq);
  }
}
