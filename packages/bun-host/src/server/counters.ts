/** Traffic counters of a host server. */
import type { AdmissionCounters } from './admission.ts';

/** Counters of a server, shared by its connections (with the admission's, in snapshots). */
export interface WireCounters extends Partial<AdmissionCounters> {
  /** Messages read from sockets, dropped ones included. */
  framesReceived: number;
  /** Frames written to sockets (every frame of a batch counts). */
  framesSent: number;
  /** Messages dropped by the rate limiter. */
  framesDropped: number;
  /** Messages answered with an error frame (invalid, refused before the handshake, …). */
  framesRejected: number;
  /** Connections closed because the client read too slowly. */
  backpressureCloses: number;
  /** Connections closed for flooding. */
  rateLimitCloses: number;
}

/** Fresh zeroed counters. */
export function createWireCounters(): WireCounters {
  return {
    framesReceived: 0,
    framesSent: 0,
    framesDropped: 0,
    framesRejected: 0,
    backpressureCloses: 0,
    rateLimitCloses: 0,
  };
}
