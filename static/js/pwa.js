// The installable app on every page: register the service worker, and keep one account's kept day pages and
// offline activities away from another on a shared phone. Its settings are the script tag's data attributes.
(() => {
  const settings = document.currentScript.dataset;
  const user = settings.user || "";
  const PAGES_CACHE = "kinerja-pages";
  const OWNER_KEY = "kinerja-pages-user";
  const forgetPages = () => (window.caches ? window.caches.delete(PAGES_CACHE) : Promise.resolve(false));

  // The kept day pages belong to whoever was signed in when they were kept: a sign-in page or another account's
  // page empties them before anything else can show them. (After the sign-in page, which emptied them, the next
  // account's first page keeps what its worker just stored.)
  try {
    const owner = window.localStorage.getItem(OWNER_KEY);
    if (owner !== user) {
      if (owner !== "") forgetPages();
      window.localStorage.setItem(OWNER_KEY, user);
    }
  } catch (error) {
    forgetPages();  // storage blocked: keep nothing
  }

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(settings.worker, { scope: "/" }).catch(() => {});
  }

  // Signing out forgets the kept pages and this account's offline activities, after asking when some were never sent.
  document.querySelectorAll(`form[action="${settings.signOut}"]`).forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let mine = [];
      try {
        mine = window.KinerjaQueue ? (await window.KinerjaQueue.all()).filter((entry) => entry.user === user) : [];
      } catch (error) {
        mine = [];
      }
      if (mine.length && !window.confirm(settings.msgUnsent.replace("__N__", String(mine.length)))) return;
      await Promise.all(mine.map((entry) => window.KinerjaQueue.remove(entry.token))).catch(() => {});
      await forgetPages().catch(() => {});
      try {
        window.localStorage.setItem(OWNER_KEY, "");
      } catch (error) {
        // nothing kept to guard
      }
      form.submit();
    });
  });
})();
