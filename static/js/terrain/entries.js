/* The messages typed on this device, newest first, with their state (waiting, sending,
   sent, refused). Their « Modifier / Corriger » and « Supprimer » buttons carry
   data-action; main.js hands those clicks to the form. */

import { USER, el, state } from "./page.js";
import { allEntries, deleteEntry } from "./store.js";
import { formatTime } from "./helpers.js";
import { renderStatus } from "./status.js";

export function findEntry(uuid) {
  for (var i = 0; i < state.entries.length; i++) if (state.entries[i].uuid === uuid) return state.entries[i];
  return null;
}

export function loadEntries() {
  return allEntries().then(function (entries) {
    entries.sort(function (a, b) { return a.created_at < b.created_at ? 1 : -1; });
    state.entries = entries;
    renderEntries();
    renderStatus();
  });
}

function quartierName(slug) {
  var ref = state.referential;
  if (ref) for (var i = 0; i < ref.quartiers.length; i++) if (ref.quartiers[i].slug === slug) return ref.quartiers[i].name;
  return slug;
}

function stateLabel(entry) {
  if (state.inFlight[entry.uuid]) return "envoi en cours…";
  if (entry.state === "envoyee") return "envoyée" + (entry.expression ? " (n° " + entry.expression + ")" : "") + (entry.sent_at ? " le " + formatTime(entry.sent_at) : "");
  if (entry.state === "refusee") return "refusée : " + (entry.reason || "à corriger");
  return "en attente" + (entry.reason ? " (" + entry.reason + ")" : "");
}

export function renderEntries() {
  var list = el.entries;
  list.textContent = "";
  var anySent = false;
  state.entries.forEach(function (entry) {
    var mine = entry.owner === USER;
    var item = document.createElement("li");
    item.className = "terrain-entry terrain-entry-" + (state.inFlight[entry.uuid] ? "envoi" : entry.state);
    item.setAttribute("data-entry", entry.uuid);
    var title = document.createElement("p");
    title.className = "terrain-entry-title";
    title.textContent = "Saisi le " + formatTime(entry.said_at || entry.created_at) + " — " + quartierName(entry.values.quartier) +
      (entry.values.people_count > 1 ? " — " + entry.values.people_count + " personnes" : "") +
      (entry.photo || entry.had_photo ? " — avec photo" : "");
    var text = document.createElement("p");
    text.className = "terrain-entry-text";
    var words = entry.values.text || "";
    text.textContent = words.length > 240 ? words.slice(0, 240) + "…" : words;
    var status = document.createElement("p");
    status.className = "terrain-entry-state";
    var badge = document.createElement("strong");
    badge.setAttribute("data-entry-state", entry.state);
    badge.textContent = stateLabel(entry);
    status.appendChild(badge);
    if (!mine) status.appendChild(document.createTextNode(" — saisi avec un autre compte : il partira quand ce compte se connectera ici."));
    item.appendChild(title);
    item.appendChild(text);
    item.appendChild(status);
    var actions = document.createElement("p");
    actions.className = "terrain-entry-actions";
    if (entry.state === "envoyee") {
      anySent = true;
    } else if (mine && !state.inFlight[entry.uuid]) {
      actions.appendChild(button(entry.state === "refusee" ? "Corriger" : "Modifier", "edit", "link-button"));
      actions.appendChild(button("Supprimer", "remove", "link-button"));
    }
    if (actions.childNodes.length) item.appendChild(actions);
    list.appendChild(item);
  });
  el.entriesEmpty.hidden = state.entries.length > 0;
  el.clearSent.hidden = !anySent;
}

function button(label, action, className) {
  var node = document.createElement("button");
  node.type = "button";
  node.className = className || "";
  node.textContent = label;
  node.setAttribute("data-action", action);
  return node;
}

export function clearSent() {
  var sent = state.entries.filter(function (e) { return e.state === "envoyee"; });
  Promise.all(sent.map(function (e) { return deleteEntry(e.uuid); })).then(loadEntries);
}
