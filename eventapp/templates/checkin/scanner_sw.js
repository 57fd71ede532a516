// The door scanner's service worker (scope /scan/). The app shell comes from the cache, so the page opens
// with no network (and at once on a slow one), and is refreshed from the network behind it; a new version
// of any shell file changes this file, so a new worker with a new cache takes over. The API is never
// cached: its answers must be fresh, and the page itself falls back to its roster when the network is gone.
const VERSION = {{ version|tojson }};
const SHELL = {{ shell|tojson }};
const PAGES = ["/scan/", "/scan/pair"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key !== VERSION).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

const FONTS = "/static/vendor/fonts/";  // slices of the web font, loaded as text needs them: kept once seen

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(FONTS) && url.pathname.endsWith(".woff2")) {
    event.respondWith(caches.open(VERSION).then(async (cache) => {
      const cached = await cache.match(url.pathname);
      if (cached) return cached;
      const response = await fetch(event.request);
      if (response.ok) cache.put(url.pathname, response.clone());
      return response;
    }));
    return;
  }
  const page = PAGES.includes(url.pathname);
  if (!page && !SHELL.includes(url.pathname)) return;  // the API and everything else: straight to the network
  const key = page ? "/scan/" : url.pathname;  // /scan/pair is the same page
  event.respondWith(caches.open(VERSION).then(async (cache) => {
    const cached = await cache.match(key);
    const fresh = fetch(event.request).then((response) => {
      if (response.ok) cache.put(key, response.clone());
      return response;
    });
    if (cached) {
      event.waitUntil(fresh.catch(() => undefined));
      return cached;
    }
    return fresh;
  }));
});
