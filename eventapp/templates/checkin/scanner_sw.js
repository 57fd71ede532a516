// The door scanner's service worker (scope /scan/): the app shell from the cache, so the page opens with no
// network; the API always from the network (its answers must be fresh; the page itself falls back to its
// roster when the network is gone), never cached.
const VERSION = {{ version|tojson }};
const SHELL = {{ shell|tojson }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key !== VERSION).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return;  // network only: the page decides what to do offline
  // The shell: the network first (a new version is picked up at once), the cache when offline.
  event.respondWith(fetch(event.request).then((response) => {
    if (response.ok && (SHELL.includes(url.pathname) || url.pathname === "/scan/pair")) {
      const copy = response.clone();
      caches.open(VERSION).then((cache) => cache.put(event.request, copy));
    }
    return response;
  }).catch(() => caches.match(event.request, {ignoreSearch: true})
    .then((hit) => hit || (url.pathname.startsWith("/scan/") ? caches.match("/scan/") : undefined))
    .then((hit) => hit || Response.error())));
});
