/* Whether this page will open with no network, said in a polite live region: « Prête pour le
   hors connexion » only once the service worker controls the page and the page, its scripts
   and styles (the worker says what it keeps) and the lists of quartiers, objectives and
   events (IndexedDB) are on the device; until then, what is still missing. Checked again
   until everything is there, soon at first and less often as time goes (the worker then
   fetches again what it could not keep), and at once whenever the worker changes or the
   network comes back. */

import { URLS, el, state } from "./page.js";
import { plural } from "./helpers.js";
import { pageFiles } from "./worker.js";

var FIRST_DELAY = 1500;
var LONGEST_DELAY = 30000;
var ASK_TIMEOUT = 3000;
var delay = FIRST_DELAY;
var timer = null;
var latest = 0;

// {page: true, missing: ["/static/…"]} from the worker, or null when none answers.
function askWorker(worker) {
  return new Promise(function (resolve) {
    var channel = new MessageChannel();
    var late = setTimeout(function () { resolve(null); }, ASK_TIMEOUT);
    channel.port1.onmessage = function (event) { clearTimeout(late); resolve(event.data || null); };
    worker.postMessage({ type: "status", urls: pageFiles() }, [channel.port2]);
  });
}

function kept() {
  return navigator.serviceWorker.getRegistration(URLS.scope).then(function (registration) {
    var worker = navigator.serviceWorker.controller || (registration && registration.active);
    return worker ? askWorker(worker) : null;
  }).catch(function () { return null; });
}

function missingParts(files, controlled) {
  var parts = [];
  if (!files || !files.page) parts.push("la page");
  if (!files) {
    parts.push("ses scripts et ses styles");
  } else {
    var scripts = 0;
    var styles = 0;
    var others = 0;
    (files.missing || []).forEach(function (path) {
      if (/\.m?js$/.test(path)) scripts++;
      else if (/\.css$/.test(path)) styles++;
      else others++;
    });
    if (scripts) parts.push(plural(scripts, "script", "scripts"));
    if (styles) parts.push(plural(styles, "feuille de style", "feuilles de style"));
    if (others) parts.push(plural(others, "autre fichier (icône, manifeste)", "autres fichiers (icônes, manifeste)"));
  }
  if (!state.referentialStored) parts.push("les listes des quartiers, des objectifs et des événements");
  if (!controlled) parts.push("le service hors connexion du navigateur");
  return parts;
}

function say(text, ready) {
  // Said again only when it changes: a live region repeating itself would be noise.
  if (el.offline.textContent !== text) el.offline.textContent = text;
  el.offline.setAttribute("data-offline-ready", ready ? "1" : "0");
  el.offline.className = "terrain-offline " + (ready ? "offline-ready" : "offline-pending");
}

export function checkReadiness() {
  var mine = ++latest;
  if (timer) { clearTimeout(timer); timer = null; }
  if (!("serviceWorker" in navigator) || !("caches" in window)) {
    say("Ce navigateur ne garde pas cette page hors connexion : gardez-la ouverte, et gardez le réseau pour la rouvrir.", false);
    return Promise.resolve(false);
  }
  return kept().then(function (files) {
    if (mine !== latest) return false;  // a later check has begun: it speaks
    var parts = missingParts(files, !!navigator.serviceWorker.controller);
    if (!parts.length) {
      say("Prête pour le hors connexion : la page, ses scripts et les listes sont sur cet appareil. Vous pouvez quitter le Wi-Fi.", true);
      return true;
    }
    say("Pas encore prête pour le hors connexion : gardez le réseau. Encore à télécharger : " + parts.join(", ") + ".", false);
    timer = setTimeout(checkReadiness, delay);
    delay = Math.min(delay * 2, LONGEST_DELAY);
    return false;
  });
}

// Something changed (the worker, the network, the lists): check at once, then soon again.
export function recheckReadiness() {
  delay = FIRST_DELAY;
  return checkReadiness();
}

export function watchReadiness() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.addEventListener("controllerchange", recheckReadiness);
  window.addEventListener("online", recheckReadiness);
  return checkReadiness();
}
