/* The service worker (static/js/terrain-sw.js, served at /terrain/sw.js) keeps the page and
   its static files for offline use; this registers it and tells it what the page loaded. */

import { URLS, el } from "./page.js";

export function registerWorker() {
  if (!("serviceWorker" in navigator)) {
    el.referential.textContent += " Ce navigateur ne garde pas la page hors connexion : gardez-la ouverte.";
    return;
  }
  navigator.serviceWorker.register(URLS.sw, { scope: URLS.scope }).catch(function () {});
  // Whatever this page loads (base.html's scripts and styles too) is kept for offline use.
  navigator.serviceWorker.ready.then(function (registration) {
    var urls = [];
    document.querySelectorAll("script[src], link[rel=stylesheet][href], link[rel=icon][href]").forEach(function (node) {
      urls.push(node.src || node.href);
    });
    if (registration.active) registration.active.postMessage({ type: "keep", urls: urls });
  });
}
