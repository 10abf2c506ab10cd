/* Service worker of the field mode, served at /terrain/sw.js (scope /terrain/).
   The view that serves it puts `self.TERRAIN = {version, page, precache}` above this code.
   - the page /terrain/: network first (a few seconds), else the copy kept here;
   - static files (those listed, and any other the page uses: base.html's scripts, for
     instance, which the page sends in a message): the copy kept here, refreshed in the
     background;
   - everything else (the API, other pages) goes to the network untouched: the page's
     script keeps the referential and the entries in IndexedDB itself.
   Messages from the page: "keep" (its own files, to keep too) and "status" (answered on the
   port sent with it: {page, missing}, whether the page is kept and which files are not yet,
   after trying once more to fetch them), which says whether the page will open offline. */
/* global self, caches, fetch, Request, Response, URL */
"use strict";

var CONFIG = self.TERRAIN || { version: "dev", page: "/terrain/", precache: [] };
var CACHE = "terrain-" + CONFIG.version;
var NETWORK_TIMEOUT = 4000;
var STATIC_PREFIX = CONFIG.static || "/static/";

function cachePage(cache) {
  // Only a real page of the signed-in mediator is kept, never the sign-in page it may redirect to.
  return fetch(new Request(CONFIG.page, { credentials: "same-origin", redirect: "manual" }))
    .then(function (response) {
      if (response.ok && response.type === "basic" && !response.redirected) {
        return cache.put(CONFIG.page, response);
      }
      return null;
    })
    .catch(function () { return null; });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(
        CONFIG.precache.map(function (url) {
          return cache.add(new Request(url, { credentials: "same-origin" })).catch(function () {});
        })
      ).then(function () { return cachePage(cache); });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.map(function (key) {
        if (key.indexOf("terrain-") === 0 && key !== CACHE) return caches.delete(key);
        return null;
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
                 function (error) { clearTimeout(timer); reject(error); });
  });
}

function fromPageCache() {
  return caches.open(CACHE).then(function (cache) { return cache.match(CONFIG.page); });
}

function handlePage(request) {
  var network = fetch(request);
  network.catch(function () {});
  return withTimeout(network, NETWORK_TIMEOUT).then(function (response) {
    if (response.ok && response.type === "basic" && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(CONFIG.page, copy); });
    }
    return response;
  }).catch(function () {
    return fromPageCache().then(function (cached) {
      if (cached) return cached;
      // Slow network and nothing kept yet: wait for the network after all.
      return network;
    });
  });
}

function handleStatic(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (cached) {
      var refresh = fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
      if (cached) {
        refresh.catch(function () {});
        return cached;
      }
      return refresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === CONFIG.page) {
    event.respondWith(handlePage(request));
    return;
  }
  if (CONFIG.precache.indexOf(url.pathname) !== -1 || url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(handleStatic(request));
  }
});

// The paths of the page's own static files among ``urls`` (nothing of another origin).
function staticPaths(urls) {
  var paths = [];
  (Array.isArray(urls) ? urls : []).forEach(function (href) {
    var url = new URL(href, self.location.origin);
    if (url.origin === self.location.origin && url.pathname.indexOf(STATIC_PREFIX) === 0) paths.push(url.pathname);
  });
  return paths;
}

// Keeps each path not kept yet; resolves to those that could not be fetched.
function keepAll(cache, paths) {
  return Promise.all(paths.map(function (path) {
    return cache.match(path).then(function (found) {
      if (found) return null;
      return cache.add(new Request(path, { credentials: "same-origin" })).then(
        function () { return null; }, function () { return path; });
    });
  })).then(function (failed) { return failed.filter(Boolean); });
}

function status(cache, urls) {
  var wanted = CONFIG.precache.concat(staticPaths(urls)).filter(function (path, index, all) {
    return all.indexOf(path) === index;
  });
  return keepAll(cache, wanted).then(function (missing) {
    return cache.match(CONFIG.page).then(function (page) {
      return page || cachePage(cache).then(function () { return cache.match(CONFIG.page); });
    }).then(function (page) { return { type: "status", page: !!page, missing: missing }; });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep") {
    event.waitUntil(caches.open(CACHE).then(function (cache) { return keepAll(cache, staticPaths(data.urls)); }));
  } else if (data.type === "status" && event.ports && event.ports[0]) {
    var port = event.ports[0];
    event.waitUntil(caches.open(CACHE).then(function (cache) { return status(cache, data.urls); }).then(
      function (answer) { port.postMessage(answer); },
      function () { port.postMessage({ type: "status", page: false, missing: CONFIG.precache }); }));
  }
});
