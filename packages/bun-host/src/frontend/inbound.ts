/**
 * What the hub does with one validated client frame of a connected session: control frames
 * (`ping`, `ack`, a stray `hello`) and sequenced uplinks (drop replays, refuse gaps, check
 * authority, update the session, report, acknowledge).
 */
import type { ClientFrame, FrontendUplink } from '@spindle/types';
import { type AuthorityPolicy, checkUplink } from './authority.ts';
import type { HubSession } from './session.ts';
import { errorFrame } from './session-filter.ts';

/** What frame handling needs from the hub. */
export interface InboundContext {
  now(): number;
  policy(): AuthorityPolicy;
  /** Acknowledges everything the session processed (at once or coalesced). */
  ack(session: HubSession): void;
  /** Reports an accepted uplink to the host. */
  emitUplink(session: HubSession, message: FrontendUplink): void;
}

/** Handles one frame of a connected session. */
export function handleClientFrame(
  ctx: InboundContext,
  session: HubSession,
  frame: ClientFrame,
): void {
  session.lastActiveAt = ctx.now();
  switch (frame.type) {
    case 'hello':
      session.deliver(
        errorFrame(
          'INVALID_FRAME',
          'the handshake is already complete: send hello only once per connection',
          frame,
        ),
      );
      return;
    case 'ping':
      session.deliver({ type: 'pong', at: frame.at });
      return;
    case 'ack':
      if (!session.outbound.ack(frame.seq)) {
        session.deliver(
          errorFrame(
            'INVALID_FRAME',
            `ack ${frame.seq} is beyond the last frame sent (${session.outbound.lastSeq})`,
            { type: 'ack' },
          ),
        );
      }
      return;
    default:
      handleUplink(ctx, session, frame);
  }
}

function handleUplink(
  ctx: InboundContext,
  session: HubSession,
  frame: FrontendUplink & { seq: number },
): void {
  const seq = frame.seq;
  // The validator built this object for us, so it is handed on as it is, `seq` and all, rather
  // than copied without it (a copy per frame shows in the throughput profile).
  const message: FrontendUplink = frame;
  const verdict = session.inbound.check(seq);
  if (verdict === 'duplicate') {
    ctx.ack(session);
    return;
  }
  if (verdict === 'gap') {
    const expected = session.inbound.lastProcessed + 1;
    session.deliver(
      errorFrame(
        'INVALID_FRAME',
        `frame seq ${seq} skips ahead: expected ${expected}, replay from there`,
        frame,
      ),
    );
    return;
  }
  session.inbound.advance(seq);
  const refusal = checkUplink(ctx.policy(), session.info, message);
  if (refusal) {
    session.deliver(errorFrame(refusal.code, refusal.message, frame));
  } else if (apply(session, message)) {
    ctx.emitUplink(session, message);
  }
  // Only ack if the session survived the listeners (one may have closed it).
  if (session.state === 'connected') ctx.ack(session);
}

/** Updates session state for an accepted uplink; false when there is nothing to report. */
function apply(session: HubSession, message: FrontendUplink): boolean {
  switch (message.type) {
    case 'extension_mounted':
      session.mounted.add(message.extensionId);
      return true;
    case 'extension_unmounted':
      return session.mounted.delete(message.extensionId);
    case 'subscribe_stats':
      session.statsSubscribed = true;
      return true;
    default:
      return true;
  }
}

/**
 * A sequenced frame that failed validation still counts as processed (`wire-protocol.ts`): it is
 * acknowledged so that the sender never replays it and the next frame is not taken for a gap.
 */
export function handleRejectedSeq(ctx: InboundContext, session: HubSession, seq: number): void {
  session.lastActiveAt = ctx.now();
  const verdict = session.inbound.check(seq);
  if (verdict === 'gap') return;
  if (verdict === 'next') session.inbound.advance(seq);
  ctx.ack(session);
}
