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

// extensions/backend_worker/src/frontend.ts
function setup(ctx) {
  const panel = createPanel("backend_worker", "Backend worker", "a Bun subprocess doing CPU work; freeze its event loop and watch the host kill it");
  const bar = document.createElement("progress");
  bar.max = 1;
  bar.value = 0;
  bar.dataset.testid = "backend_worker-progress";
  const found = document.createElement("p");
  found.className = "ext-metric";
  found.dataset.testid = "backend_worker-found";
  found.textContent = "primes found: 0";
  panel.body.append(bar, found);
  panel.button("Start", () => ctx.sendToBackend({ cmd: "start" }), "backend_worker-start");
  panel.button("Freeze it", () => ctx.sendToBackend({ cmd: "freeze" }), "backend_worker-freeze");
  panel.button("Stop", () => ctx.sendToBackend({ cmd: "stop" }), "backend_worker-stop");
  const off = ctx.onBackendMessage((payload) => {
    const message = payload;
    switch (message?.kind) {
      case "lifecycle": {
        const reason = message.exitReason ? ` (${message.exitReason})` : "";
        panel.status(message.state, toneOf(message.state));
        panel.log(`subprocess ${message.processId}: ${message.state}${reason}`);
        break;
      }
      case "progress":
        bar.max = message.limit;
        bar.value = message.done;
        found.textContent = `primes found: ${message.found}`;
        break;
      case "frozen":
        panel.log("event loop blocked; waiting for the heartbeat watchdog");
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
    panel.remove();
  };
}
export {
  setup
};
