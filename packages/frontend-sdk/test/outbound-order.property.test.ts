import type { FrontendUplink } from '@spindle/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutboundQueue } from '../src/host/outbound.ts';
import { StartupGate } from '../src/host/startup-gate.ts';
import { createMemoryTransport, type TransportState } from '../src/transport.ts';

type Op = { kind: 'send'; n: number } | { kind: 'state'; state: TransportState };

const ops = fc.array(
  fc.oneof(
    fc.nat({ max: 1_000 }).map((n): Op => ({ kind: 'send', n })),
    fc
      .constantFrom<TransportState>('open', 'closed', 'connecting')
      .map((state): Op => ({ kind: 'state', state })),
  ),
  { maxLength: 200 },
);

describe('outbound queue properties', () => {
  it('delivers exactly the non-dropped messages, in order, never holding more than the limit', () => {
    fc.assert(
      fc.property(ops, fc.integer({ min: 1, max: 20 }), (sequence, limit) => {
        const { transport, remote } = createMemoryTransport({ state: 'closed' });
        const dropped: FrontendUplink[] = [];
        const queue = new OutboundQueue(transport, limit, {
          onDrop: (m) => dropped.push(m),
          onReopen: () => {},
        });
        const accepted: FrontendUplink[] = [];
        for (const op of sequence) {
          if (op.kind === 'state') remote.setState(op.state);
          else {
            const message: FrontendUplink = {
              type: 'backend_message',
              extensionId: 'x',
              payload: op.n,
            };
            const outcome = queue.send(message);
            if (outcome === 'dropped') expect(dropped.at(-1)).toBe(message);
            else accepted.push(message);
          }
          expect(queue.size).toBeLessThanOrEqual(limit);
          if (transport.state === 'open') expect(queue.size).toBe(0);
        }
        remote.setState('open');
        expect(remote.received).toEqual(accepted);
        expect(queue.dropped).toBe(dropped.length);
      }),
    );
  });
});

describe('startup gate properties', () => {
  it('replays every accepted item exactly once, in order, whatever arrives during replay', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { maxLength: 100 }),
        fc.integer({ min: 0, max: 50 }),
        (payloads, limit) => {
          const delivered: unknown[] = [];
          let gate: StartupGate | undefined;
          let echoed = false;
          gate = new StartupGate(limit, (item) => {
            if (item.type !== 'backend_message') return;
            delivered.push(item.payload);
            // An item pushed while replaying joins the queue instead of jumping it.
            if (!echoed) {
              echoed = true;
              gate?.push({ type: 'backend_message', payload: 'during replay' });
            }
          });
          const accepted: unknown[] = [];
          for (const payload of payloads) {
            if (gate.push({ type: 'backend_message', payload })) accepted.push(payload);
          }
          expect(accepted).toEqual(payloads.slice(0, limit));
          gate.release();
          gate.release();
          const expected = accepted.length > 0 ? [...accepted, 'during replay'] : [];
          expect(delivered).toEqual(expected);
          expect(gate.isOpen).toBe(true);
        },
      ),
    );
  });
});
