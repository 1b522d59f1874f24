/**
 * The playground's app server: what a web app that embeds Spindle runs (docs/embedding.md). It
 * mounts the host on its own `Bun.serve`, registers its `chat` service (the chats of its page)
 * for extensions, fires `CHAT_SWITCHED` when a user opens another chat, and serves its page's
 * own API under `/app/*`. Run by the playground's Vite plugin:
 *
 *   bun playground/server/app.ts --extensions <dir> --data <dir> --mode <mode> --port <n> --tokens <file> [--watch]
 *
 * With `--watch` (what `pnpm dev` passes) it is also a dev host: it builds the extensions with
 * sources, then runs the dev loop of `@spindle/bun-host` over them, so a saved file rebuilds that
 * extension and restarts its runtime or reloads its frontend in the open pages (see
 * docs/first-extension.md).
 */
import {
  buildExtensionsIn,
  createDevLogger,
  createTokenAuthenticator,
  type DevLoop,
  loadTokenFile,
  type ServiceCall,
  ServiceRegistry,
  startDevLoop,
  startSpindleHost,
} from '@spindle/bun-host';
import { RUNTIME_MODES, SpindleError, type SpindleRuntimeMode } from '@spindle/types';
import { ChatStore, ownerOf } from './chats.ts';

function arg(name: string): string {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : process.argv[at + 1];
  if (value === undefined) throw new Error(`app server: --${name} is required`);
  return value;
}

const mode = arg('mode') as SpindleRuntimeMode;
if (!RUNTIME_MODES.includes(mode)) throw new Error(`app server: unknown mode ${mode}`);
const authenticate = createTokenAuthenticator({ tokens: await loadTokenFile(arg('tokens')) });
const chats = new ChatStore();

/** A chat the calling extension may read: any for operator scope, its installer's otherwise. */
function chatFor(call: ServiceCall, chatId: unknown): string {
  if (typeof chatId !== 'string' || chats.messages(chatId) === undefined) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `${call.operation}: no chat ${JSON.stringify(chatId)}`,
    );
  }
  if (call.userId !== undefined && ownerOf(chatId) !== call.userId) {
    throw new SpindleError(
      'FORBIDDEN',
      `${call.operation}: chat ${chatId} is not ${call.userId}'s`,
    );
  }
  return chatId;
}

const services = new ServiceRegistry();
services.register(
  'chat',
  {
    list: (call: ServiceCall, userId?: string) => chats.list(call.actFor(userId)),
    getActiveChat: (call: ServiceCall, userId?: string) => ({
      chatId: chats.active(call.actFor(userId)),
    }),
    getMessages: (call: ServiceCall, chatId: string) => chats.messages(chatFor(call, chatId)),
    appendMessage: (
      call: ServiceCall,
      chatId: string,
      message: { role?: string; content?: unknown },
    ) => {
      if (typeof message?.content !== 'string') {
        throw new SpindleError('INVALID_OPTIONS', 'chat.appendMessage: content must be a string');
      }
      const role =
        message.role === 'user' || message.role === 'system' ? message.role : 'assistant';
      const appended = chats.append(chatFor(call, chatId), role, message.content);
      services.emit('MESSAGE_SENT', { chatId, message: appended }, { userId: ownerOf(chatId) });
      return appended;
    },
  },
  { permission: 'chats', version: 1 },
);

const watch = process.argv.includes('--watch');
const devLog = watch ? createDevLogger() : undefined;
if (devLog) await buildExtensionsIn(arg('extensions'), devLog);

const spindle = await startSpindleHost({
  ...(devLog ? { logger: devLog } : {}),
  extensionsDir: arg('extensions'),
  dataDir: arg('data'),
  runtimeMode: mode,
  authenticate,
  services,
  mount: {},
});
const handlers = spindle.handlers;
if (!handlers) throw new Error('app server: the host gave no handlers');
const loop: DevLoop | undefined = devLog
  ? await startDevLoop({ host: spindle.host, logger: devLog })
  : undefined;

async function userOf(request: Request): Promise<string | undefined> {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get('Authorization') ?? '')?.[1] ?? '';
  return (await authenticate(token, request))?.userId;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  });

/** The page's own API: list and open chats, send a message. */
async function appRoute(request: Request, url: URL): Promise<Response> {
  const userId = await userOf(request);
  if (userId === undefined) return json({ error: 'sign in first' }, 401);
  if (url.pathname === '/app/chats' && request.method === 'GET') {
    return json({ chats: chats.list(userId), active: chats.active(userId) });
  }
  const body = (await request.json().catch(() => ({}))) as { chatId?: unknown; content?: unknown };
  if (url.pathname === '/app/chats/active' && request.method === 'POST') {
    if (typeof body.chatId !== 'string' || !chats.switchTo(userId, body.chatId)) {
      return json({ error: 'no such chat' }, 404);
    }
    services.emit('CHAT_SWITCHED', { chatId: body.chatId }, { userId });
    return json({ active: body.chatId });
  }
  if (url.pathname === '/app/chats/messages' && request.method === 'POST') {
    const chatId = chats.active(userId);
    if (typeof body.content !== 'string' || body.content.trim() === '') {
      return json({ error: 'content must be text' }, 400);
    }
    const message = chats.append(chatId, 'user', body.content);
    services.emit('MESSAGE_SENT', { chatId, message }, { userId });
    return json({ message });
  }
  return json({ error: 'no such route' }, 404);
}

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(arg('port')),
  development: false,
  fetch(request, srv) {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/app/')) return appRoute(request, url);
    return handlers.fetch(request, srv);
  },
  websocket: handlers.websocket,
});
const running = spindle.host.list().filter((e) => e.state === 'running').length;
console.log(
  `[app] ${mode} mode listening on http://127.0.0.1:${server.port}: ${running} of ${spindle.host.list().length} extensions running`,
);

let stopping = false;
const stop = async () => {
  if (stopping) process.exit(130);
  stopping = true;
  loop?.close();
  await spindle.close();
  server.stop(true);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
