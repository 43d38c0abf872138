// Kinerja's service worker. The server writes its settings above this line (kinerja/pwa/views.py): the version, the
// layout's static files to precache, the offline page and how day pages are addressed.
//
// - Static files of the layout: from the precache, else the network.
// - Page loads: the network first. A day page that arrives is kept (in "kinerja-pages", which the pages empty at
//   sign-out and whenever another account signs in: static/js/pwa.js); without a connection the kept copy of that
//   day is shown, else the offline page. No other page and no /api answer is ever stored.
// - Background sync: sends the activities kept offline (static/js/offline-queue.js) when the connection returns.
/* global KinerjaQueue */
const SETTINGS = self.KINERJA_SW;
const STATIC_PREFIX = "kinerja-static-";
const STATIC_CACHE = STATIC_PREFIX + SETTINGS.version;
const PAGES_CACHE = "kinerja-pages";
const DAY_PAGE = new RegExp(SETTINGS.dayPage);
const DAY_PAGES_KEPT = 14;

importScripts(SETTINGS.queueScript);

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(STATIC_CACHE);
    // "reload": past the browser's HTTP cache, so the precache holds what this deployment serves.
    await cache.addAll(SETTINGS.precache.map((url) => new Request(url, { cache: "reload" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // The previous deployment's files stay one version longer: day pages kept before the update still name them.
    const older = (await caches.keys()).filter((name) => name.startsWith(STATIC_PREFIX) && name !== STATIC_CACHE);
    await Promise.all(older.slice(0, -1).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

const keepDayPage = async (path, response) => {
  const cache = await caches.open(PAGES_CACHE);
  await cache.delete(path);  // re-added last: the keys stay in the order the pages were last seen
  await cache.put(path, response);
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - DAY_PAGES_KEPT)).map((key) => cache.delete(key)));
};

const keptPage = async (path) => {
  const cache = await caches.open(PAGES_CACHE);
  if (DAY_PAGE.test(path)) return cache.match(path);
  if (path === SETTINGS.dayHome) {  // "today's activities": the day page seen last
    const keys = await cache.keys();
    return keys.length ? cache.match(keys[keys.length - 1]) : undefined;
  }
  return undefined;
};

const navigate = async (request) => {
  const path = new URL(request.url).pathname;
  try {
    const response = await fetch(request);
    if (DAY_PAGE.test(path) && response.status === 200 && response.type === "basic" && !response.redirected) {
      await keepDayPage(path, response.clone());
    }
    return response;
  } catch (error) {
    return (await keptPage(path)) || (await caches.match(SETTINGS.offlinePage)) || Response.error();
  }
};

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  } else if (url.pathname.startsWith(SETTINGS.staticPrefix)) {
    event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag !== KinerjaQueue.SYNC_TAG) return;
  event.waitUntil((async () => {
    const result = await KinerjaQueue.flush(SETTINGS.queueState);
    const windows = await self.clients.matchAll({ type: "window" });
    windows.forEach((client) => client.postMessage({ type: KinerjaQueue.SYNC_TAG, sent: result.sent.length }));
    if (result.offline) throw new Error("offline");  // the browser tries again later
  })());
});
