/* The referential (quartiers, their objectives, the enjeux) and the events of the weeks around
   today: fetched from the API when there is network, kept on the device for offline use, and
   shown in the form's lists and its objectives checklist. The events offered are those of
   the device's today first, then the earlier ones, newest first: an event still to come is
   no place where something was said (the server refuses it). */

import { QUARTIERS_IN_SCOPE, SOURCES_BY_KIND, URLS, el, form, state } from "./page.js";
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
      // Only the quartiers of the mediator's communes: the server refuses the others.
      quartiers: parts[0].filter(inScope).map(function (q) { return { slug: q.slug, name: q.name }; }),
      objectifs: parts[1].map(function (o) {
        return { id: o.id, quartier: o.quartier, enjeu: o.enjeu, label: o.operationnel || o.intercommunal, orientation: o.orientation };
      }),
      evenements: parts[2].map(function (e) {
        return { id: e.id, title: e.title, starts_at: e.starts_at, ends_at: e.ends_at, kind: e.kind, quartiers: e.quartiers, status: e.status };
      }),
      fetched_at: new Date().toISOString()
    };
    state.referential = referential;
    return setMeta("referential", referential).then(function () {
      state.referentialStored = true;
      renderReferential();
    });
  });
}

function inScope(quartier) {
  return QUARTIERS_IN_SCOPE === null || QUARTIERS_IN_SCOPE.indexOf(quartier.slug) !== -1;
}

function startOfDay(date, days) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + (days || 0));
}

// {today, earlier}: the events the form offers, by the device's clock (see the top).
export function eventsByDay(events, now) {
  var today = startOfDay(now);
  var tomorrow = startOfDay(now, 1);
  var todays = [];
  var earlier = [];
  events.forEach(function (e) {
    var start = new Date(e.starts_at);
    var end = new Date(e.ends_at || e.starts_at);
    if (e.status === "annule" || start >= tomorrow) return;
    (end >= today ? todays : earlier).push(e);
  });
  function underWay(e) { return new Date(e.starts_at) <= now && now < new Date(e.ends_at || e.starts_at); }
  todays.sort(function (a, b) {
    if (underWay(a) !== underWay(b)) return underWay(a) ? -1 : 1;
    return Math.abs(new Date(a.starts_at) - now) - Math.abs(new Date(b.starts_at) - now);
  });
  earlier.sort(function (a, b) { return new Date(b.starts_at) - new Date(a.starts_at); });
  return { today: todays, earlier: earlier };
}

// What a field entry for this event takes: its kind of meeting and its quartiers.
export function eventDefaults(id) {
  var ref = state.referential;
  var found = null;
  if (ref) ref.evenements.forEach(function (e) { if (String(e.id) === String(id)) found = e; });
  if (!found) return null;
  return { source: SOURCES_BY_KIND[found.kind] || "autre", quartiers: found.quartiers || [] };
}

export function renderEvents() {
  var ref = state.referential;
  var evenement = form.elements.evenement;
  if (!ref) return;
  var keep = evenement.value || (state.pendingValues && state.pendingValues.evenement) || "";
  while (evenement.children.length > 1) evenement.removeChild(evenement.lastChild);
  var groups = eventsByDay(ref.evenements, new Date());
  [["Aujourd'hui", groups.today], ["Les jours précédents", groups.earlier]].forEach(function (pair) {
    if (!pair[1].length) return;
    var group = document.createElement("optgroup");
    group.label = pair[0];
    pair[1].forEach(function (e) {
      var date = new Date(e.starts_at).toLocaleDateString("fr-FR", { weekday: "short", day: "numeric", month: "long" });
      group.appendChild(new Option(e.title + " — " + date, String(e.id)));
    });
    evenement.appendChild(group);
  });
  setSelect(evenement, keep);
}

export function renderReferential() {
  var ref = state.referential;
  if (!ref) {
    el.referential.textContent = "Listes des quartiers et des événements pas encore chargées : il faut du réseau une première fois.";
    return;
  }
  el.referential.textContent = "Quartiers, objectifs et événements à jour du " + formatTime(ref.fetched_at) + ".";
  var quartier = form.elements.quartier;
  var keepQuartier = quartier.value || (state.pendingValues && state.pendingValues.quartier) || "";
  while (quartier.options.length > 1) quartier.remove(1);
  ref.quartiers.forEach(function (q) { quartier.add(new Option(q.name, q.slug)); });
  setSelect(quartier, keepQuartier);
  renderEvents();
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
