// A backend half typed through `"types": ["@spindle/types/globals"]` in its tsconfig: the global
// `spindle` is the installed package's `SpindleAPI`, and an app service is added by declaration
// merging. Type-checked only (tsconfig.globals-types.json).
import type { BackendProcessInfoDTO } from '@spindle/types';

declare module '@spindle/types' {
  interface SpindleAPI {
    readonly chat?: { getMessages(chatId: string): Promise<string[]> };
  }
}

spindle.onFrontendMessage(async (payload, userId) => {
  const count = (await spindle.storage.getJson<{ n: number }>('count.json', { fallback: { n: 0 } }))
    .n;
  await spindle.storage.setJson('count.json', { n: count + 1 });
  const listed: BackendProcessInfoDTO[] = await spindle.backendProcesses.list();
  const messages = (await spindle.chat?.getMessages('c1')) ?? [];
  spindle.sendToFrontend({ echo: payload, count, processes: listed.length, messages }, userId);
});
spindle.log.info(`${spindle.manifest.identifier} on Lumiverse ${spindle.host.lumiverseVersion}`);

// @ts-expect-error: not a member of the API (so `spindle` is not `any`)
spindle.notAMember();
// @ts-expect-error: getMessages takes a chat id
void spindle.chat?.getMessages(42);
