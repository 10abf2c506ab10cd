/* Sending: the messages waiting on this device go to the sync endpoint in small batches (a
   photo travels alone), each once (the server knows their UUIDs); the answer of each is
   kept on the device. Also: is the session still open, and is there network. */

import { MAX_BATCH, URLS, USER, state } from "./page.js";
import { putEntry, setMeta } from "./store.js";
import { cookie, fetchWithTimeout, plural, readJson } from "./helpers.js";
import { findEntry, loadEntries, renderEntries } from "./entries.js";
import { announce, renderStatus, setOnline, waiting } from "./status.js";
import { refreshReferential } from "./referential.js";
import { recheckReadiness } from "./offline.js";

function blobToBase64(blob) {
  return new Promise(function (resolve, reject) {
    var reader = new FileReader();
    reader.onload = function () { resolve(String(reader.result).split(",")[1] || ""); };
    reader.onerror = function () { reject(reader.error); };
    reader.readAsDataURL(blob);
  });
}

function payloadFor(entry) {
  var v = entry.values;
  var body = {
    uuid: entry.uuid,
    evenement: v.evenement ? parseInt(v.evenement, 10) : null,
    // Left empty: the event's (the server fills them in the same way).
    source: v.source || null,
    quartier: v.quartier || null,
    text: v.text,
    objectifs: (v.objectifs || []).map(function (id) { return parseInt(id, 10); }),
    people_count: parseInt(v.people_count, 10) || 1,
    age_group: v.age_group || "",
    contact: v.contact_consent ? v.contact : "",
    contact_consent: !!v.contact_consent,
    visibility: v.visibility || "anonyme",
    photo_description: v.photo_description || "",
    // When it was typed (an entry kept before this field existed: its creation).
    said_at: entry.said_at === undefined ? entry.created_at : entry.said_at
  };
  if (!entry.photo) return Promise.resolve(body);
  return blobToBase64(entry.photo).then(function (data) { body.photo = data; return body; });
}

function batches(entries) {
  // A photo travels alone; the others go by MAX_BATCH.
  var groups = [];
  var current = [];
  entries.forEach(function (entry) {
    if (entry.photo) { groups.push([entry]); return; }
    current.push(entry);
    if (current.length >= MAX_BATCH) { groups.push(current); current = []; }
  });
  if (current.length) groups.push(current);
  return groups;
}

function applyResult(result) {
  var entry = findEntry(result.uuid);
  if (!entry) return Promise.resolve();
  entry = Object.assign({}, entry);
  if (result.etat === "envoyee") {
    entry.state = "envoyee";
    entry.expression = result.expression;
    entry.sent_at = new Date().toISOString();
    entry.reason = "";
    entry.fields = {};
    if (entry.photo) { entry.had_photo = true; entry.photo = null; }
  } else if (result.etat === "refusee") {
    entry.state = "refusee";
    entry.reason = result.raison || "refusée";
    entry.fields = result.champs || {};
  } else {
    entry.state = "en_attente";
    entry.reason = result.raison || "";
  }
  return putEntry(entry);
}

function sendBatch(group) {
  group.forEach(function (entry) { state.inFlight[entry.uuid] = true; });
  renderEntries();
  return Promise.all(group.map(payloadFor)).then(function (entrees) {
    return fetchWithTimeout(URLS.sync, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": cookie("csrftoken") },
      body: JSON.stringify({ entrees: entrees })
    });
  }).then(function (response) {
    return readJson(response).then(function (body) {
      if (response.ok && body && body.resultats) {
        return Promise.all(body.resultats.map(applyResult)).then(function () { return { ok: true, body: body }; });
      }
      var error = body && body.erreur ? body.erreur : { code: "http_" + response.status, message: "" };
      return { ok: false, status: response.status, error: error };
    });
  }, function () {
    return { ok: false, network: true };
  }).finally(function () {
    group.forEach(function (entry) { delete state.inFlight[entry.uuid]; });
  });
}

function doSync() {
  var mine = waiting().filter(function (e) { return !state.inFlight[e.uuid]; });
  if (!mine.length) return Promise.resolve();
  state.syncing = true;
  renderStatus();
  var groups = batches(mine);
  var sent = 0;
  var refused = 0;
  var succeeded = false;
  function next(index) {
    if (index >= groups.length) return Promise.resolve();
    return sendBatch(groups[index]).then(function (outcome) {
      if (outcome.ok) {
        succeeded = true;
        setOnline(true);
        state.sessionExpired = false;
        sent += outcome.body.envoyees;
        refused += outcome.body.refusees;
        return next(index + 1);
      }
      if (outcome.network) { setOnline(false); announce("Le réseau ne répond pas : les messages restent sur l'appareil et partiront plus tard."); return null; }
      if (outcome.error.code === "non_authentifie") { state.sessionExpired = true; announce(""); return null; }
      if (outcome.error.code === "csrf") { announce("La page doit être rechargée avant d'envoyer (jeton de sécurité expiré) : vos messages restent sur l'appareil."); return null; }
      announce((outcome.error.message || "L'envoi n'a pas abouti") + " Les messages restent sur l'appareil et partiront plus tard.");
      return null;
    });
  }
  return next(0).then(function () {
    if (!succeeded) return null;
    state.lastSync = new Date().toISOString();
    var message = plural(sent, "message envoyé", "messages envoyés") + (refused ? " ; " + plural(refused, "refusé", "refusés") + " : corrigez-les ci-dessous." : ".");
    announce(message);
    return setMeta("last_sync:" + USER, state.lastSync);
  }).finally(function () {
    state.syncing = false;
    return loadEntries();
  });
}

export function syncNow() {
  if (state.syncing) return Promise.resolve();
  if (!navigator.onLine) { setOnline(false); return Promise.resolve(); }
  if (navigator.locks && navigator.locks.request) {
    // Two open tabs never send at the same time (the server would not store twice anyway).
    return navigator.locks.request("participation-terrain-sync", function () {
      return loadEntries().then(doSync);
    });
  }
  return loadEntries().then(doSync);
}

function checkSession() {
  if (!navigator.onLine) return Promise.resolve();
  return fetchWithTimeout(URLS.session).then(function (response) {
    setOnline(true);
    if (response.ok) { state.sessionExpired = false; return; }
    return readJson(response).then(function (body) {
      var code = body && body.erreur && body.erreur.code;
      state.sessionExpired = code === "non_authentifie";
    });
  }, function () { setOnline(false); }).then(renderStatus);
}

export function whenOnline() {
  setOnline(true);
  checkSession().then(function () {
    refreshReferential().then(recheckReadiness, function () {});
    if (!state.sessionExpired) syncNow();
  });
}
