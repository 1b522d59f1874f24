// extensions/runaway_frontend/src/frontend.ts
function setup(ctx) {
  ctx.processes.register("spinner", (proc) => {
    proc.ready();
    proc.heartbeat();
    proc.send({ kind: "spinning" });
    setTimeout(() => {
      const until = Number.POSITIVE_INFINITY;
      while (Date.now() < until) {}
    }, 50);
  });
  ctx.ready();
  ctx.sendToBackend({ cmd: "spin" });
}
export {
  setup
};
