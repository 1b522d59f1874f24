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

// extensions/messages/src/frontend.ts
function setup(ctx) {
  const panel = createPanel("messages", "Messages", "sendToBackend → backend → sendToFrontend");
  const form = document.createElement("form");
  const input = document.createElement("input");
  input.placeholder = "Say something";
  input.setAttribute("aria-label", "Message");
  input.dataset.testid = "messages-input";
  const send = document.createElement("button");
  send.type = "submit";
  send.textContent = "Send";
  send.dataset.testid = "messages-send";
  form.append(input, send);
  panel.body.append(form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text)
      return;
    ctx.sendToBackend({ kind: "say", text });
    panel.log(`you: ${text}`);
    input.value = "";
  });
  const off = ctx.onBackendMessage((payload) => {
    const reply = payload;
    if (reply?.kind !== "echo")
      return;
    panel.status(`${reply.count} echoed`, "ok");
    panel.log(`backend: ${reply.text}`);
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
