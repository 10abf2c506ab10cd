/* The service worker (static/js/terrain-sw.js, served at /terrain/sw.js) keeps the page and
   its static files for offline use; this registers it and tells it what the page loaded. */

import { URLS } from "./page.js";

// Whatever this page loads itself (base.html's scripts and styles too); its modules are in
// the worker's own list.
export function pageFiles() {
  var urls = [];
  document.querySelectorAll("script[src], link[rel=stylesheet][href], link[rel=icon][href]").forEach(function (node) {
    urls.push(node.src || node.href);
  });
  return urls;
}

export function registerWorker() {
  // Without a service worker, offline.js says the page cannot be kept.
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(URLS.sw, { scope: URLS.scope }).catch(function () {});
  navigator.serviceWorker.ready.then(function (registration) {
    if (registration.active) registration.active.postMessage({ type: "keep", urls: pageFiles() });
  });
}
