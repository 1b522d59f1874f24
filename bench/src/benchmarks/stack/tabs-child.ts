/**
 * A Bun child holding benchmark tabs (`client.ts`) for `remote-tabs.ts`, so that many tabs'
 * bridge and SDK work does not run on the host's event loop, as it would not with real
 * browsers. Commands arrive over IPC; every answer is one IPC message. Exits on `close` or when
 * the parent goes away.
 */
import { errorMessage } from '@spindle/types';
import { openStackClient, type StackClient } from './client.ts';
import type { TabsCommand, TabsReply } from './tabs-protocol.ts';

let tabs: StackClient[] = [];

function reply(message: TabsReply): void {
  process.send?.(message);
}

async function open(url: string, tokens: readonly string[], lanes: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tokens.length) {
      const token = tokens[next++] as string;
      tabs.push(await openStackClient({ url, token }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, tokens.length) }, lane));
}

async function run(perTab: number): Promise<number[]> {
  const lanes = await Promise.all(
    tabs.map(async (tab) => {
      const out: number[] = [];
      for (let i = 0; i < perTab; i++) out.push(await tab.roundTrip());
      return out;
    }),
  );
  return lanes.flat();
}

function closeTabs(): void {
  for (const tab of tabs) tab.close();
  tabs = [];
}

process.on('message', (raw) => {
  const command = raw as TabsCommand;
  const work = async (): Promise<TabsReply> => {
    switch (command.type) {
      case 'open':
        await open(command.url, command.tokens, command.lanes);
        return { type: 'opened', count: tabs.length };
      case 'run':
        return { type: 'result', ms: await run(command.perTab) };
      case 'burst': {
        const tab = tabs[0];
        if (!tab) throw new Error('no tab is open');
        return { type: 'rate', perSecond: await tab.burst(command.count) };
      }
      case 'close':
        closeTabs();
        return { type: 'closed' };
    }
  };
  work().then(
    (answer) => {
      reply(answer);
      if (command.type === 'close') process.disconnect?.();
    },
    (error: unknown) => reply({ type: 'error', message: errorMessage(error) }),
  );
});
process.on('disconnect', () => {
  closeTabs();
  process.exit(0);
});
reply({ type: 'ready' });
