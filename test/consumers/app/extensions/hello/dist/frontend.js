// Frontend half: pings the backend and answers its pong, saying whether it runs in a worker.
export function setup(ctx) {
  const off = ctx.onBackendMessage((payload) => {
    if (payload && typeof payload.pong === 'string') {
      const where = typeof document === 'undefined' ? 'worker' : 'page';
      ctx.sendToBackend({ got: payload.pong, where });
    }
  });
  ctx.sendToBackend({ ping: 'consumer' });
  return off;
}
