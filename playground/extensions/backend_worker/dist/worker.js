// @bun
// extensions/backend_worker/src/worker.ts
function run(ctx) {
  const limit = Number(ctx.payload?.limit ?? 3000000);
  let next = 2;
  let found = 0;
  let stopped = false;
  const isPrime = (n) => {
    if (n < 4)
      return n > 1;
    if (n % 2 === 0)
      return false;
    for (let d = 3;d * d <= n; d += 2)
      if (n % d === 0)
        return false;
    return true;
  };
  const slice = () => {
    if (stopped)
      return;
    const end = Math.min(limit, next + 50000);
    for (;next <= end; next++)
      if (isPrime(next))
        found++;
    ctx.heartbeat();
    ctx.send({ kind: "progress", done: next - 1, limit, found });
    if (next > limit) {
      ctx.complete({ found });
      return;
    }
    setTimeout(slice, 20);
  };
  ctx.onMessage((payload) => {
    if (payload?.cmd === "freeze") {
      ctx.send({ kind: "frozen" });
      setTimeout(() => {
        while (true) {}
      }, 10);
    }
  });
  ctx.onStop(() => {
    stopped = true;
    ctx.complete({ found, partial: true });
  });
  ctx.ready();
  setTimeout(slice, 0);
  return () => {
    stopped = true;
  };
}
export {
  run as default
};
