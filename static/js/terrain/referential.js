/* The referential (quartiers, their objectives, the enjeux) and the coming events: fetched
   from the API when there is network, kept on the device for offline use, and shown in the
   form's lists and its objectives checklist. */

import { URLS, el, form, state } from "./page.js";
import { setMeta } from "./store.js";
import { fetchWithTimeout, formatTime } from "./helpers.js";
// A classic script shared with the expression forms: it sets window.ObjectifsChecklist.
import "../lib/objectifs-checklist.js";

var checklist = window.ObjectifsChecklist;

function fetchAll(url) {
  var results = [];
  function page(next) {
    return fetchWithTimeout(next).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (body) {
      results = results.concat(body.results || []);
      return body.next ? page(body.next) : results;
    });
  }
  return page(url);
}

function isoDay(offsetDays) {
  var date = new Date(Date.now() + offsetDays * 86400000);
  var month = String(date.getMonth() + 1).padStart(2, "0");
  var day = String(date.getDate()).padStart(2, "0");
  return date.getFullYear() + "-" + month + "-" + day;
}

export function refreshReferential() {
  var eventsUrl = URLS.evenements + "?taille=100&du=" + isoDay(-7) + "&au=" + isoDay(60);
  return Promise.all([
    fetchAll(URLS.quartiers + "?taille=100"),
    fetchAll(URLS.objectifs + "?taille=100"),
    fetchAll(eventsUrl),
    fetchAll(URLS.enjeux + "?taille=100")
  ]).then(function (parts) {
    var enjeux = {};
    parts[3].forEach(function (e) { enjeux[e.number] = e.plain_title || e.title; });
    var referential = {
      enjeux: enjeux,
      quartiers: parts[0].map(function (q) { return { slug: q.slug, name: q.name }; }),
      objectifs: parts[1].map(function (o) {
        return { id: o.id, quartier: o.quartier, enjeu: o.enjeu, label: o.operationnel || o.intercommunal, orientation: o.orientation };
      }),
      evenements: parts[2].map(function (e) {
        return { id: e.id, title: e.title, starts_at: e.starts_at, kind: e.kind, quartiers: e.quartiers, status: e.status };
      }),
      fetched_at: new Date().toISOString()
    };
    state.referential = referential;
    return setMeta("referential", referential).then(function () { renderReferential(); });
  });
}

export function renderReferential() {
  var ref = state.referential;
  if (!ref) {
    el.referential.textContent = "Listes des quartiers et des événements pas encore chargées : il faut du réseau une première fois.";
    return;
  }
  el.referential.textContent = "Quartiers, objectifs et événements à jour du " + formatTime(ref.fetched_at) + ".";
  var quartier = form.elements.quartier;
  var evenement = form.elements.evenement;
  var keepQuartier = quartier.value || (state.pendingValues && state.pendingValues.quartier) || "";
  var keepEvenement = evenement.value || (state.pendingValues && state.pendingValues.evenement) || "";
  while (quartier.options.length > 1) quartier.remove(1);
  ref.quartiers.forEach(function (q) { quartier.add(new Option(q.name, q.slug)); });
  while (evenement.options.length > 1) evenement.remove(1);
  ref.evenements.forEach(function (e) {
    var date = new Date(e.starts_at).toLocaleDateString("fr-FR", { weekday: "short", day: "numeric", month: "long" });
    var label = e.title + " — " + date + (e.status === "annule" ? " (annulé)" : "");
    evenement.add(new Option(label, String(e.id)));
  });
  setSelect(quartier, keepQuartier);
  setSelect(evenement, keepEvenement);
  renderObjectifs(state.pendingValues ? state.pendingValues.objectifs : null);
}

export function setSelect(select, value) {
  value = value == null ? "" : String(value);
  var found = Array.prototype.some.call(select.options, function (option) { return option.value === value; });
  if (!found && value) {
    // A value kept on the device that the current lists no longer hold: keep it visible.
    select.add(new Option(state.referential ? "(n'existe plus) " + value : value, value));
  }
  select.value = value;
}

export function renderObjectifs(checkedIds) {
  var quartier = form.elements.quartier.value;
  var checked = {};
  (checkedIds || checkedObjectifs()).forEach(function (id) { checked[String(id)] = true; });
  var container = el.objectifs;
  container.textContent = "";
  var ref = state.referential;
  if (!quartier || !ref) {
    var hint = document.createElement("p");
    hint.className = "meta";
    hint.textContent = quartier ? "Les objectifs ne sont pas encore chargés." : "Choisissez d'abord le quartier.";
    container.appendChild(hint);
  } else {
    var groups = {};
    var order = [];
    ref.objectifs.forEach(function (o) {
      if (o.quartier !== quartier) return;
      if (!groups[o.enjeu]) { groups[o.enjeu] = []; order.push(o.enjeu); }
      groups[o.enjeu].push(o);
    });
    checklist.appendGroups(container, order.map(function (enjeu) {
      var title = ref.enjeux && ref.enjeux[enjeu];
      return { title: "Enjeu " + enjeu + (title ? " : " + title : ""), objectifs: groups[enjeu] };
    }), { checked: checked, idPrefix: "terrain-objectif-" });
    if (!order.length) {
      var none = document.createElement("p");
      none.className = "meta";
      none.textContent = "Ce quartier n'a pas d'objectifs en ligne.";
      container.appendChild(none);
    }
  }
  // Objectives kept on the device that the lists no longer hold: shown, so they can be
  // unchecked. Those of another quartier (the quartier was changed) are simply dropped.
  Object.keys(checked).forEach(function (id) {
    var known = ref && ref.objectifs.some(function (o) { return String(o.id) === id; });
    if (known) return;
    var item = document.createElement("p");
    item.className = "choice-unknown";
    var label = "Objectif n° " + id + (ref ? " (n'existe plus dans les listes : décochez-le)" : "");
    checklist.appendChoice(item, { id: id, label: label }, { checked: checked, idPrefix: "terrain-objectif-" });
    container.appendChild(item);
  });
}

export function checkedObjectifs() {
  return Array.prototype.map.call(
    el.objectifs.querySelectorAll("input[name=objectifs]:checked"),
    function (input) { return input.value; }
  );
}
