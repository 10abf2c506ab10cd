/* The page of the field mode: its elements, what its data- attributes say, and the state
   that the other modules share. main.js calls bind() once, before anything else runs; the
   other modules read these names when their functions run (ES module bindings are live). */

export var USER = null;
export var URLS = null;
export var MAX_BATCH = 20;
export var PHOTO_MAX_BYTES = 10485760;
// The kind of meeting of an event, by its kind (the server's mapping, given by the page).
export var SOURCES_BY_KIND = {};
// The slugs of the quartiers of the mediator's communes; null: every quartier.
export var QUARTIERS_IN_SCOPE = null;
export var root = null;
export var form = null;
export var el = null;

export var state = {
  online: navigator.onLine,
  sessionExpired: false,
  syncing: false,
  inFlight: {},
  entries: [],
  referential: null,
  referentialStored: false,
  editing: null,
  photo: null,
  photoName: "",
  lastSync: null
};

export function bind(node) {
  root = node;
  USER = root.getAttribute("data-user-id");
  URLS = {
    sw: root.getAttribute("data-sw-url"),
    scope: root.getAttribute("data-scope"),
    sync: root.getAttribute("data-sync-url"),
    session: root.getAttribute("data-session-url"),
    quartiers: root.getAttribute("data-quartiers-url"),
    objectifs: root.getAttribute("data-objectifs-url"),
    enjeux: root.getAttribute("data-enjeux-url"),
    evenements: root.getAttribute("data-evenements-url")
  };
  MAX_BATCH = Math.min(parseInt(root.getAttribute("data-max-entries"), 10) || 50, 20);
  PHOTO_MAX_BYTES = parseInt(root.getAttribute("data-photo-max-bytes"), 10) || 10485760;
  var kinds = document.getElementById("terrain-sources-by-kind");
  SOURCES_BY_KIND = kinds ? JSON.parse(kinds.textContent) : {};
  var inScope = document.getElementById("terrain-quartiers-in-scope");
  QUARTIERS_IN_SCOPE = inScope ? JSON.parse(inScope.textContent) : null;

  form = root.querySelector("[data-entry-form]");
  el = {
    network: root.querySelector("[data-network]"),
    pending: root.querySelector("[data-pending-count]"),
    lastSync: root.querySelector("[data-last-sync]"),
    expired: root.querySelector("[data-session-expired]"),
    loginLink: root.querySelector("[data-login-link]"),
    syncMessage: root.querySelector("[data-sync-message]"),
    syncNow: root.querySelector("[data-sync-now]"),
    referential: root.querySelector("[data-referential-state]"),
    offline: root.querySelector("[data-offline-readiness]"),
    eventDefaults: root.querySelector("[data-event-defaults]"),
    entries: root.querySelector("[data-entries]"),
    entriesEmpty: root.querySelector("[data-entries-empty]"),
    clearSent: root.querySelector("[data-clear-sent]"),
    formTitle: root.querySelector("[data-form-title]"),
    editing: root.querySelector("[data-editing]"),
    editingReason: root.querySelector("[data-editing-reason]"),
    cancelEdit: root.querySelector("[data-cancel-edit]"),
    formError: root.querySelector("[data-form-error]"),
    objectifs: root.querySelector("[data-objectifs]"),
    photoInput: form.querySelector("input[name=photo]"),
    photoState: root.querySelector("[data-photo-state]"),
    photoName: root.querySelector("[data-photo-name]"),
    photoRemove: root.querySelector("[data-photo-remove]")
  };
}
