/** The SDK's `Transport` seam, which the bridge implements. */
export type { Transport, TransportState } from '@spindle/frontend-sdk';
