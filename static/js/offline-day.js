// The day page without a connection: the quick-add row keeps what is typed on this device (static/js/offline-queue.js)
// and lists it as waiting; when the connection returns each entry is sent with its client token; what the server
// refuses stays listed with its reason, to be fixed in the form or discarded. Texts come from data attributes.
(() => {
  const root = document.getElementById("offline-queue");
  const queue = window.KinerjaQueue;
  if (!root || !queue || !window.indexedDB) return;
  const text = root.dataset;
  const user = text.user;
  const form = document.getElementById("quick-add");
  const banner = document.getElementById("offline-banner");
  const status = document.getElementById("queue-status");
  const lists = { waiting: document.getElementById("queue-waiting"), refused: document.getElementById("queue-refused") };
  const field = (name) => (form ? form.elements.namedItem(name) : null);
  const isOffline = () => !navigator.onLine;
  const say = (message) => { status.textContent = message; };

  const element = (tag, className, content) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  };
  const clock = (value) => (value || "").replace(":", ".");

  const entryItem = (entry) => {
    const item = element("li", "list-group-item queue-item");
    item.dataset.token = entry.token;
    const head = element("div", "d-flex justify-content-between align-items-center gap-2");
    const when = `${clock(entry.fields.start_time)}–${clock(entry.fields.end_time)}`;
    head.append(element("span", "fw-semibold", entry.day === text.day ? when : `${entry.dayLabel || entry.day}, ${when}`));
    const waiting = entry.state === "waiting";
    head.append(element("span", `badge ${waiting ? "text-bg-warning" : "text-bg-danger"}`,
                        waiting ? text.badgeWaiting : text.badgeRefused));
    item.append(head, element("div", "text-break", entry.fields.description));
    const files = (entry.files || []).length ? ` · ${text.files.replace("__N__", String(entry.files.length))}` : "";
    item.append(element("div", "small text-muted", `${text.output} ${entry.fields.quantity} ${entry.fields.unit}${files}`));
    if (!waiting) {
      item.append(element("div", "small text-danger fw-semibold mt-1 queue-reason", entry.message));
      const actions = element("div", "d-flex flex-wrap gap-2 mt-2");
      if (form && entry.day === text.day) {
        const fix = element("button", "btn btn-sm btn-outline-primary", text.fix);
        fix.type = "button";
        fix.addEventListener("click", () => fixEntry(entry));
        actions.append(fix);
      }
      const discard = element("button", "btn btn-sm btn-outline-danger", text.discard);
      discard.type = "button";
      discard.addEventListener("click", async () => {
        if (!window.confirm(text.confirmDiscard)) return;
        await queue.remove(entry.token);
        render();
      });
      actions.append(discard);
      item.append(actions);
    }
    return item;
  };

  async function render() {
    const mine = (await queue.all()).filter((entry) => entry.user === user).sort((a, b) => a.queuedAt - b.queuedAt);
    Object.entries(lists).forEach(([state, card]) => {
      const entries = mine.filter((entry) => entry.state === state);
      card.querySelector("ul").replaceChildren(...entries.map(entryItem));
      card.querySelector(".queue-count").textContent = String(entries.length);
      card.classList.toggle("d-none", entries.length === 0);
    });
    return mine;
  }

  const showConnection = () => {
    banner.classList.toggle("d-none", !isOffline());
    // Other buttons of the page (submit, copy, templates) need the server: off while there is no connection.
    document.querySelectorAll("main form[method=post]:not(#quick-add) button[type=submit]").forEach((button) => {
      button.disabled = isOffline();
    });
  };

  // Keep the row on this device, after the checks the server would make first.
  const problem = () => {
    const required = [["description", text.needDescription], ["start_time", text.needStart],
                      ["end_time", text.needEnd], ["quantity", text.needQuantity], ["unit", text.needUnit]];
    for (const [name, message] of required) {
      if (field(name) && !field(name).value.trim()) return [name, message];
    }
    if (field("end_time").value <= field("start_time").value) return ["end_time", text.endAfterStart];
    if (field("work_mode") && field("work_mode").value === "DL" && !field("assignment_letter").value.trim()) {
      return ["assignment_letter", text.needLetter];
    }
    return null;
  };

  const nextHour = (value) => {
    const [hours, minutes] = value.split(":").map(Number);
    const end = Math.min(hours * 60 + minutes + 60, 23 * 60 + 59);
    return `${String(Math.floor(end / 60)).padStart(2, "0")}:${String(end % 60).padStart(2, "0")}`;
  };

  const keep = async () => {
    const found = problem();
    if (found) {
      const [name, message] = found;
      field(name).setCustomValidity(message);
      field(name).reportValidity();
      field(name).addEventListener("input", () => field(name).setCustomValidity(""), { once: true });
      return;
    }
    const fields = {};
    for (const [name, value] of new FormData(form).entries()) {
      if (typeof value === "string" && name !== "csrf_token" && name !== "client_token") fields[name] = value;
    }
    const upload = field("files");
    const entry = { token: queue.newToken(), user, day: text.day, dayLabel: text.dayLabel, sendUrl: text.sendUrl,
                    fields, files: upload ? Array.from(upload.files) : [], state: "waiting", queuedAt: Date.now() };
    await queue.put(entry);
    // Ready for the next one: it starts where this one ended, in the same unit, mode and category.
    field("start_time").value = fields.end_time;
    field("end_time").value = nextHour(fields.end_time);
    ["description", "link", "assignment_letter"].forEach((name) => { if (field(name)) field(name).value = ""; });
    field("quantity").value = "1";
    if (upload) upload.value = "";
    field("client_token").value = queue.newToken();
    await render();
    say(text.kept);
    field("description").focus();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.ready.then((registration) => registration.sync
        && registration.sync.register(queue.SYNC_TAG)).catch(() => {});
    }
  };

  // Put a refused entry back into the row to be corrected; saved again, it keeps its token (nothing was saved with it).
  const fixEntry = async (entry) => {
    Object.entries(entry.fields).forEach(([name, value]) => { if (field(name)) field(name).value = value; });
    field("client_token").value = entry.token;
    field("work_mode").dispatchEvent(new Event("change"));
    await queue.remove(entry.token);
    await render();
    say(text.fixing.replace("__REASON__", entry.message || ""));
    const target = field(Object.keys(entry.fieldErrors || {})[0]) || field("description");
    target.focus();
  };

  // The server answers within a few seconds or the row is kept here: a connection that only seems to be there
  // (navigator.onLine says yes, nothing gets through) must not lose what was typed.
  const reachable = async () => {
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), 5000);
    try {
      const response = await fetch(text.stateUrl, { credentials: "same-origin", cache: "no-store",
                                                    signal: controller.signal });
      return response.status > 0;
    } catch (error) {
      return false;
    } finally {
      window.clearTimeout(timer);
    }
  };

  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!isOffline() && await reachable()) {
        form.submit();  // the ordinary save, with the page's answer and its field errors
        return;
      }
      keep();
    });
  }

  // Show the day's list as the server has it now (saying so once more after the reload), unless something is being
  // typed in the row.
  const SAID = "kinerja-queue-said";
  let reloading = false;  // the page's own sending and the worker's background sync may both finish: reload once
  const showSaved = (count) => {
    const message = text.sent.replace("__N__", String(count));
    say(message);
    if (reloading || (form && field("description").value.trim())) return;
    reloading = true;
    try {
      window.sessionStorage.setItem(SAID, message);
    } catch (error) {
      // the message is not repeated after the reload
    }
    window.location.reload();
  };
  try {
    const said = window.sessionStorage.getItem(SAID);
    window.sessionStorage.removeItem(SAID);
    if (said) say(said);
  } catch (error) {
    // storage blocked
  }

  const flush = async () => {
    if (isOffline()) return;
    const result = await queue.flush(text.stateUrl);
    await render();
    if (result.signedOut) say(text.signedOut);
    else if (result.offline || result.failed) say(text.retry);
    else if (result.refused.length) say(text.refused.replace("__N__", String(result.refused.length)));
    if (result.sent.length) showSaved(result.sent.length);
  };

  window.addEventListener("online", () => { showConnection(); flush(); });
  window.addEventListener("offline", showConnection);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === queue.SYNC_TAG) {
        render();
        if (event.data.sent) showSaved(event.data.sent);
      }
    });
  }
  showConnection();
  render().then(flush);
})();
