// Activities typed without a connection, kept in this browser (IndexedDB) until the server has them. Shared by the
// day page (static/js/offline-day.js) and the service worker's background sync (static/js/service-worker.js).
//
// An entry: {token, user, day, sendUrl, fields, files, state: "waiting" | "refused", message, queuedAt}. The token is
// the activity's client token: the server saves one activity per token, so an entry sent twice (a lost answer, the
// page and the service worker at once) is still one activity. Entries carry the account that typed them and are
// only ever shown to it and sent with its session.
(function (scope) {
  const DATABASE = "kinerja-offline";
  const STORE = "queue";
  const JSON_TYPE = "application/json";

  const open = () => new Promise((resolve, reject) => {
    const request = scope.indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "token" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  const run = async (mode, work) => {
    const database = await open();
    return new Promise((resolve, reject) => {
      const transaction = database.transaction(STORE, mode);
      const request = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => { database.close(); resolve(request.result); };
      transaction.onerror = () => { database.close(); reject(transaction.error); };
      transaction.onabort = transaction.onerror;
    });
  };

  const all = () => run("readonly", (store) => store.getAll());
  const put = (entry) => run("readwrite", (store) => store.put(entry));
  const remove = (token) => run("readwrite", (store) => store.delete(token));
  // Change an entry only while it is still kept: the page and the service worker may both be sending it, and an
  // answer arriving after the person discarded (or took back into the form) the entry must not bring it back.
  const update = (token, changes) => run("readwrite", (store) => {
    const request = store.get(token);
    request.onsuccess = () => { if (request.result) store.put({ ...request.result, ...changes }); };
    return request;
  });
  const isJson = (response) => (response.headers.get("Content-Type") || "").startsWith(JSON_TYPE);

  // Who is signed in now, with a fresh CSRF token; null when the session has ended (the answer is the sign-in page).
  const session = async (stateUrl) => {
    const response = await fetch(stateUrl, { credentials: "same-origin", cache: "no-store",
                                             headers: { Accept: JSON_TYPE } });
    if (!response.ok || response.redirected || !isJson(response)) return null;
    return response.json();
  };

  const send = (entry, current) => {
    const body = new FormData();
    Object.entries(entry.fields).forEach(([name, value]) => body.append(name, value));
    (entry.files || []).forEach((file) => body.append("files", file, file.name));
    body.append("client_token", entry.token);
    body.append("csrf_token", current.csrf_token);
    return fetch(entry.sendUrl, { method: "POST", body, credentials: "same-origin",
                                  headers: { Accept: JSON_TYPE, "X-CSRFToken": current.csrf_token } });
  };

  // Send the waiting entries of the signed-in account, oldest first. Answers what happened:
  // {sent: [entries], refused: [entries], offline, signedOut, failed}. A refused entry stays, with the server's reason.
  const flushOnce = async (stateUrl) => {
    const result = { sent: [], refused: [], offline: false, signedOut: false, failed: false };
    const waiting = (await all()).filter((entry) => entry.state === "waiting")
      .sort((a, b) => a.queuedAt - b.queuedAt);
    if (!waiting.length) return result;
    let current;
    try {
      current = await session(stateUrl);
    } catch (error) {
      result.offline = true;
      return result;
    }
    if (!current) {
      result.signedOut = true;
      return result;
    }
    for (const entry of waiting.filter((item) => item.user === current.user)) {
      let response;
      try {
        response = await send(entry, current);
      } catch (error) {
        result.offline = true;
        return result;
      }
      const answer = isJson(response) ? await response.json() : null;
      if (response.ok && answer && answer.id) {
        await remove(entry.token);
        result.sent.push(entry);
      } else if (response.status === 422 && answer) {
        await update(entry.token, { state: "refused", message: answer.message, fieldErrors: answer.fields || {} });
        result.refused.push(entry);
      } else {  // a server error or a lost session: the entry waits for the next try
        result.failed = true;
        return result;
      }
    }
    return result;
  };

  let running = null;  // one flush at a time in this page or worker
  const flush = (stateUrl) => {
    if (!running) running = flushOnce(stateUrl).finally(() => { running = null; });
    return running;
  };

  const newToken = () => {
    if (scope.crypto.randomUUID) return scope.crypto.randomUUID();
    const bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };

  scope.KinerjaQueue = { all, put, remove, flush, newToken, SYNC_TAG: "kinerja-queue" };
})(self);
