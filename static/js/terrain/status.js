/* The honest states at the top of the page: network, messages waiting or refused, last
   sending, expired session; and the one line that says what just happened. */

import { USER, el, state } from "./page.js";
import { formatTime, plural } from "./helpers.js";

export function waiting() {
  return state.entries.filter(function (e) { return e.owner === USER && e.state === "en_attente"; });
}

export function renderStatus() {
  el.network.textContent = state.online ? "En ligne" : "Hors ligne : les messages sont gardés sur cet appareil";
  el.network.className = state.online ? "network-online" : "network-offline";
  var pending = waiting().length;
  var refused = state.entries.filter(function (e) { return e.owner === USER && e.state === "refusee"; }).length;
  var text = pending ? plural(pending, "message en attente d'envoi", "messages en attente d'envoi") : "Aucun message en attente";
  if (refused) text += " ; " + plural(refused, "message refusé à corriger", "messages refusés à corriger");
  el.pending.textContent = text;
  el.pending.setAttribute("data-count", String(pending));
  el.lastSync.textContent = state.lastSync ? "Dernier envoi réussi : " + formatTime(state.lastSync) : "Jamais synchronisé depuis cet appareil";
  el.expired.hidden = !state.sessionExpired;
  el.syncNow.disabled = state.syncing || !pending;
}

export function announce(message) {
  el.syncMessage.textContent = message;
  el.syncMessage.hidden = !message;
}

export function setOnline(online) {
  if (state.online === online) return;
  state.online = online;
  renderStatus();
}
