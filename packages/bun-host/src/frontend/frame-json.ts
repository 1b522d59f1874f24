/**
 * Serialized frames handed from the hub to the socket. The hub serializes each downlink once
 * anyway (to check its size); for a frame about to be delivered it keeps that text with the
 * `seq` spliced in, so the socket need not serialize it again. Entries are consumed on first
 * use and held weakly, so nothing outlives its frame.
 */
import type { ServerFrame } from '@spindle/types';

const texts = new WeakMap<object, string>();

/** Remembers `messageJson` (a JSON object text) as the text of `frame`, with `seq` added. */
export function rememberFrameJson(frame: object, messageJson: string, seq: number): void {
  texts.set(frame, `${messageJson.slice(0, -1)},"seq":${seq}}`);
}

/** JSON text of a server frame: the remembered one (consumed) or a fresh `JSON.stringify`. */
export function frameToJson(frame: ServerFrame): string {
  const text = texts.get(frame);
  if (text === undefined) return JSON.stringify(frame);
  texts.delete(frame);
  return text;
}
