import type { SpindleAPI } from '@spindle/types';

declare global {
  /** The backend global every backend half sees. */
  const spindle: SpindleAPI;
}
