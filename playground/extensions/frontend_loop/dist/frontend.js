// extensions/shared/panel.ts
function createPanel(id, title, subtitle) {
  const root = document.createElement("section");
  root.className = "ext-panel";
  root.dataset.extension = id;
  root.setAttribute("aria-label", title);
  const header = document.createElement("header");
  const h = document.createElement("h2");
  h.textContent = title;
  const badge = document.createElement("span");
  badge.className = "badge badge-idle";
  badge.dataset.testid = `${id}-status`;
  badge.textContent = "idle";
  header.append(h, badge);
  const sub = document.createElement("p");
  sub.className = "ext-sub";
  sub.textContent = subtitle;
  const body = document.createElement("div");
  body.className = "ext-body";
  const actions = document.createElement("div");
  actions.className = "ext-actions";
  const logEl = document.createElement("ol");
  logEl.className = "ext-log";
  logEl.dataset.testid = `${id}-log`;
  root.append(header, sub, body, actions, logEl);
  (document.getElementById("extension-panels") ?? document.body).append(root);
  return {
    root,
    body,
    status(text, tone = "idle") {
      badge.textContent = text;
      badge.className = `badge badge-${tone}`;
    },
    button(label, onClick, testId) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      if (testId)
        b.dataset.testid = testId;
      b.addEventListener("click", onClick);
      actions.append(b);
      return b;
    },
    log(line) {
      const li = document.createElement("li");
      li.textContent = `${new Date().toLocaleTimeString()}  ${line}`;
      logEl.prepend(li);
      while (logEl.childElementCount > 50)
        logEl.lastElementChild?.remove();
    },
    remove() {
      root.remove();
    }
  };
}
function toneOf(state) {
  if (state === "running" || state === "completed")
    return "ok";
  if (state === "starting" || state === "stopping" || state === "stopped")
    return "warn";
  if (state === "failed" || state === "timed_out")
    return "bad";
  return "idle";
}

// extensions/frontend_loop/src/frontend.ts
function setup(ctx) {
  const panel = createPanel("frontend_loop", "Frontend loop", "backend spawns a frontend process: heartbeats, messages both ways, stop, watchdog");
  const ticks = document.createElement("p");
  ticks.className = "ext-metric";
  ticks.dataset.testid = "frontend_loop-ticks";
  ticks.textContent = "ticks: 0";
  panel.body.append(ticks);
  const unregister = ctx.processes.register("ticker", (proc) => {
    let n = 0;
    let beating = true;
    const heart = setInterval(() => {
      if (beating)
        proc.heartbeat();
    }, 400);
    const tick = setInterval(() => {
      n += 1;
      proc.send({ kind: "tick", n });
    }, 1000);
    proc.onMessage((payload) => {
      const message = payload;
      if (message?.cmd === "stall")
        beating = false;
      if (message?.cmd === "ping")
        proc.send({ kind: "pong", at: Date.now() });
    });
    proc.onStop(() => proc.complete({ ticks: n }));
    proc.ready();
    return () => {
      clearInterval(heart);
      clearInterval(tick);
    };
  });
  panel.button("Start", () => ctx.sendToBackend({ cmd: "start" }), "frontend_loop-start");
  panel.button("Ping", () => ctx.sendToBackend({ cmd: "ping" }), "frontend_loop-ping");
  panel.button("Miss heartbeats", () => ctx.sendToBackend({ cmd: "stall" }), "frontend_loop-stall");
  panel.button("Stop", () => ctx.sendToBackend({ cmd: "stop" }), "frontend_loop-stop");
  const off = ctx.onBackendMessage((payload) => {
    const message = payload;
    switch (message?.kind) {
      case "lifecycle": {
        const reason = message.exitReason ? ` (${message.exitReason})` : "";
        panel.status(message.state, toneOf(message.state));
        panel.log(`process ${message.processId}: ${message.state}${reason}`);
        break;
      }
      case "tick":
        ticks.textContent = `ticks: ${message.n}`;
        break;
      case "pong":
        panel.log(`pong from ${message.processId}`);
        break;
      case "error":
        panel.status("error", "bad");
        panel.log(message.message);
        break;
    }
  });
  ctx.ready();
  return () => {
    off();
    unregister();
    panel.remove();
  };
}
export {
  setup
};
