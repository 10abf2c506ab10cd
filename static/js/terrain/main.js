/* Mode terrain: what a mediator types is kept on the device (IndexedDB) and sent when the
   network allows, each entry once (a UUID made here). The referential and the coming events
   come from the API and are kept for offline use; the service worker (/terrain/sw.js) keeps
   the page itself. Without this script the page links to the ordinary field form.

   Native ES modules, loaded by <script type="module"> with no build step:
     page.js         the page's elements, settings and shared state
     helpers.js      identifiers, cookies, wording, fetch with a timeout
     store.js        IndexedDB
     status.js       the honest states at the top of the page
     referential.js  quartiers, objectives and events, and the objectives checklist
     entries.js      the messages kept on this device
     form.js         the form, its draft and its photo
     sync.js         sending, session and network
     worker.js       the service worker's registration
     offline.js      whether the page is ready to open offline, or what it still misses
   They import one another in one direction only (page, helpers and store at the bottom,
   this file at the top): in production, collectstatic writes the hashed name of each
   imported file into its importer, which a cycle would never let settle. A browser without
   modules skips this file and the page keeps its no-JavaScript notice. */

import { USER, bind, el, form, state } from "./page.js";
import { getMeta } from "./store.js";
import { renderEvents, renderObjectifs, renderReferential } from "./referential.js";
import { clearSent, loadEntries } from "./entries.js";
import {
  applyEventDefaults, cancelEditing, flushDraft, onPhotoChange, onSubmit, removeEntry, removePhoto,
  restoreDraft, saveDraft, scheduleDraft, startEditing
} from "./form.js";
import { setOnline, waiting } from "./status.js";
import { syncNow, whenOnline } from "./sync.js";
import { registerWorker } from "./worker.js";
import { watchReadiness } from "./offline.js";

var RETRY_EVERY = 30000;

function onEntryAction(event) {
  var target = event.target.closest("button[data-action]");
  if (!target) return;
  var uuid = target.closest("[data-entry]").getAttribute("data-entry");
  if (target.getAttribute("data-action") === "edit") startEditing(uuid);
  else removeEntry(uuid);
}

function start(root) {
  bind(root);
  root.querySelectorAll("[data-needs-js]").forEach(function (node) { node.hidden = true; });
  root.querySelectorAll("[data-app]").forEach(function (node) { node.hidden = false; });
  form.addEventListener("input", scheduleDraft);
  form.addEventListener("change", function (event) {
    if (event.target === el.photoInput) { onPhotoChange(); return; }
    if (event.target === form.elements.quartier) renderObjectifs();
    if (event.target === form.elements.evenement) applyEventDefaults();
    scheduleDraft();
  });
  form.addEventListener("submit", function (event) {
    onSubmit(event).then(function (kept) { if (kept) syncNow(); });
  });
  el.photoRemove.addEventListener("click", removePhoto);
  el.cancelEdit.addEventListener("click", cancelEditing);
  el.clearSent.addEventListener("click", clearSent);
  el.entries.addEventListener("click", onEntryAction);
  el.syncNow.addEventListener("click", function () { syncNow(); });
  el.loginLink.addEventListener("click", function (event) {
    // Everything typed is saved before leaving for the sign-in page.
    event.preventDefault();
    var href = el.loginLink.href;
    saveDraft().then(function () { window.location.assign(href); });
  });
  window.addEventListener("online", whenOnline);
  window.addEventListener("offline", function () { setOnline(false); });
  window.addEventListener("pagehide", flushDraft);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flushDraft();
    else renderEvents();  // the day may have changed while the tablet slept
  });
  setInterval(function () { if (navigator.onLine && waiting().length && !state.sessionExpired) syncNow(); }, RETRY_EVERY);

  Promise.all([getMeta("referential"), getMeta("last_sync:" + USER)]).then(function (meta) {
    state.referential = meta[0] || null;
    state.referentialStored = !!state.referential;
    state.lastSync = meta[1] || null;
    renderReferential();
    return restoreDraft();
  }).then(loadEntries).then(function () {
    root.setAttribute("data-ready", "1");
    registerWorker();
    watchReadiness();
    if (navigator.onLine) whenOnline(); else setOnline(false);
  }).catch(function () {
    root.querySelectorAll("[data-needs-js]").forEach(function (node) { node.hidden = false; });
    root.querySelectorAll("[data-app]").forEach(function (node) { node.hidden = true; });
  });
}

var root = document.querySelector("[data-terrain]");
if (root && "indexedDB" in window && "Promise" in window && "fetch" in window) start(root);
