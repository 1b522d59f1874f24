import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  isTerminalState,
  PROCESS_TRANSITIONS,
  TERMINAL_EXIT_REASONS,
} from '../../../src/processes/machine/index.ts';

describe('transition table', () => {
  it('has exactly the four terminal states of docs/architecture.md', () => {
    const terminal = Object.keys(PROCESS_TRANSITIONS).filter((s) => isTerminalState(s as never));
    expect(terminal.sort()).toEqual(['completed', 'failed', 'stopped', 'timed_out']);
    expect(Object.keys(TERMINAL_EXIT_REASONS).sort()).toEqual(terminal.sort());
  });

  it('never goes back to starting and never completes after a stop request', () => {
    for (const from of Object.keys(PROCESS_TRANSITIONS)) {
      expect(canTransition(from as never, 'starting')).toBe(false);
    }
    expect(canTransition('stopping', 'completed')).toBe(false);
    expect(canTransition('stopping', 'stopped')).toBe(true);
  });

  it('refuses a transition out of a terminal state and a mismatched reason', () => {
    expect(() => assertTransition('p-9', 'stopped', 'running')).toThrow(/stopped → running/);
    expect(() => assertTransition('p-9', 'running', 'completed', 'replaced')).toThrow(
      /does not fit state completed/,
    );
    expect(() => assertTransition('p-9', 'running', 'stopped', 'replaced')).not.toThrow();
  });
});
