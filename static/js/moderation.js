/* Moderation, live: the header counter on every staff page; on the queue page, on every
   page and filter, what enters the queue is announced in the arrivals' area (a polite live
   region at the bottom of the screen: number, quartier, first words, link), a row handled
   elsewhere (by a colleague) stays where it is, marked with the outcome and its actions
   disabled, until the next load, and a new row is added only where it belongs (the end of
   the last page), so that no row moves under the mediator's pointer. Progressive enhancement: every page works
   without it, and says when the live feed is paused. The socket, and its reconnection, is
   lib/live-socket.js's. */
(function () {
  "use strict";
  var counters = document.querySelectorAll("[data-moderation-count]");
  var counterLink = document.querySelector("[data-moderation-counter]");
  var queue = document.querySelector("[data-moderation-queue]");
  var staffPage = document.querySelector("[data-moderation-expression]");
  var statusBox = document.querySelector("[data-live-status]");
  var announceBox = document.querySelector("[data-live-announce]");
  var arrivalsBox = queue && queue.querySelector("[data-arrivals]");
  var handledTexts = queue && queue.querySelector("[data-handled-texts]");
  var viewer = document.querySelector("[data-queue-viewer]");
  if (!counterLink || !window.LiveSocket) return;
  var counterUrl = counterLink.getAttribute("data-counter-url");
  if (queue) counterUrl += "?" + queue.getAttribute("data-count-query");
  var countTimer = null;

  function setLive(live) {
    if (!statusBox) return;
    statusBox.textContent = statusBox.getAttribute(live ? "data-live-text" : "data-paused-text");
    statusBox.classList.toggle("is-paused", !live);
  }

  function announce(text) {
    if (announceBox) announceBox.textContent = text;
  }

  function refreshCount() {
    clearTimeout(countTimer);
    countTimer = setTimeout(function () {
      fetch(counterUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          Array.prototype.forEach.call(counters, function (badge) {
            badge.textContent = String(data.count);
          });
          // The count of this view and filters, from the same answer as the header's.
          var visible = queue && queue.querySelector("[data-visible-count]");
          if (visible && typeof data.view === "number") visible.textContent = String(data.view);
        })
        .catch(function () {});
    }, 300);
  }

  function rows() { return queue && queue.querySelector("[data-queue-rows]"); }

  // The count above the rows is the server's (refreshCount); only the empty notice follows the rows.
  function showEmptyNotice() {
    var list = rows();
    var empty = queue && queue.querySelector("[data-queue-empty]");
    if (list && empty) empty.hidden = list.children.length > 0;
  }

  function rowUrl(id) {
    var url = queue.getAttribute("data-row-url").replace(/\/0\/$/, "/" + id + "/");
    var query = queue.getAttribute("data-query");
    var next = "next=" + encodeURIComponent(location.pathname + location.search);
    return url + "?" + (query ? query + "&" : "") + "vue=" + queue.getAttribute("data-view") + "&" + next;
  }

  function fetchRow(id, callback) {
    fetch(rowUrl(id), { credentials: "same-origin" })
      .then(function (response) {
        if (response.status !== 200) return callback(null);
        return response.text().then(function (html) {
          var holder = document.createElement("template");
          holder.innerHTML = html.trim();
          callback(holder.content.firstElementChild);
        });
      })
      .catch(function () {});
  }

  // Oldest first: what arrives goes last, so only the last page shows it, if it has room.
  function belongsHere() {
    var list = rows();
    return Boolean(list) && queue.getAttribute("data-last-page") === "1" &&
      list.children.length < parseInt(queue.getAttribute("data-page-size"), 10);
  }

  // The row is appended below the others: nothing above it moves. ``spoken`` is said aloud
  // (the arrivals' area says the arrivals to moderate itself).
  function addRow(id, spoken) {
    var list = rows();
    if (!belongsHere() || document.getElementById("expression-" + id)) return;
    fetchRow(id, function (row) {
      if (!row || document.getElementById("expression-" + id)) return;
      row.classList.add("is-new");
      list.appendChild(row);
      showEmptyNotice();
      if (spoken) announce(spoken);
    });
  }

  // --- A row handled elsewhere stays in place, marked, until the next load. ---

  function handledText(name) { return handledTexts.getAttribute("data-" + name) || ""; }

  // What became of it, in words: from the event (a step, a report read, a report, an erasure).
  function outcome(event) {
    if (event.type === "expression.deleted") return handledText("deleted");
    if (event.type === "expression.reported") return handledText("reported");
    var what = event.type === "expression.reviewed"
      ? handledText("reviewed-" + event.decision)
      : handledText("status-" + event.status) || handledText("status-other");
    if (event.by === undefined || event.by === null) return what;
    var mine = viewer && String(event.by) === viewer.getAttribute("data-queue-viewer");
    return handledText(mine ? "mine" : "colleague").replace("{what}", what);
  }

  // The row keeps its place and its height: its actions give way to what happened, the
  // checkbox is cleared and disabled (a bulk action no longer takes it); nothing below moves.
  function markHandled(id, said, erased) {
    var row = document.getElementById("expression-" + id);
    if (!row || !handledTexts || row.classList.contains("is-handled")) return;
    var height = row.getBoundingClientRect().height;
    var hadFocus = row.contains(document.activeElement);
    var box = row.querySelector("input[type=checkbox]");
    var wasChecked = Boolean(box && box.checked);
    if (box) { box.checked = false; box.disabled = true; }
    var actions = row.querySelector(".queue-actions");
    // Its column keeps its width, so that the text beside it does not wrap anew.
    actions.style.width = actions.getBoundingClientRect().width + "px";
    Array.prototype.forEach.call(actions.children, function (action) {
      if (action.tagName === "BUTTON") action.disabled = true;
      action.hidden = true;
    });
    var mark = document.createElement("p");
    mark.className = "queue-handled";
    mark.setAttribute("data-handled-mark", "");
    mark.textContent = said;
    actions.appendChild(mark);
    if (erased) {
      // Erased at its author's request: its words leave the screen too.
      Array.prototype.forEach.call(row.querySelectorAll(".queue-text, .tags"), function (part) {
        part.textContent = "";
      });
    }
    row.classList.add("is-handled");
    row.style.minHeight = height + "px";
    announce(handledText("announce").replace("{number}", id).replace("{what}", said) +
      (wasChecked ? " " + handledText("was-checked") : ""));
    if (hadFocus) row.querySelector(".queue-title a").focus();
  }

  function isHandled(id) {
    var row = document.getElementById("expression-" + id);
    return Boolean(row && row.classList.contains("is-handled"));
  }

  // A row fetched again that no longer belongs to the view (a rare race): marked, not removed.
  function removeRow(id) {
    markHandled(id, handledText("status-other"));
  }

  function refreshRow(id) {
    var row = document.getElementById("expression-" + id);
    if (!row || isHandled(id)) return;
    var wasChecked = row.querySelector("input[type=checkbox]").checked;
    fetchRow(id, function (fresh) {
      var current = document.getElementById("expression-" + id);
      if (!current || isHandled(id)) return;
      if (!fresh) { removeRow(id); return; }
      fresh.querySelector("input[type=checkbox]").checked = wasChecked;
      current.parentNode.replaceChild(fresh, current);
    });
  }

  // --- The arrivals' area: one list of what entered the queue since the page opened. ---
  // Its count, its « Voir les nouveaux (n) » and the rows added all come from that list.

  var arrivals = {};  // id -> {inView, handled, appended}
  var order = [];     // ids, first arrived first
  var SHOWN = 3;      // the latest ones listed; the link leads to all of them
  var feedState = "connecting";

  function part(name) { return arrivalsBox.querySelector("[data-arrivals-" + name + "]"); }
  function text(name, count) {
    return arrivalsBox.getAttribute("data-text-" + name).replace("%s", String(count));
  }
  function counted(name, count) {
    return count === 1 ? text(name + "-one", 1) : text(name + "-many", count);
  }

  function activeFilters() {
    try { return JSON.parse(arrivalsBox.getAttribute("data-filters")) || {}; } catch (e) { return {}; }
  }
  var filters = arrivalsBox ? activeFilters() : {};

  // Whether an arrival matches every filter of this page (changes.arrival gives its values).
  function matchesFilters(values) {
    return Object.keys(filters).every(function (name) {
      var value = values && values[name];
      if (Object.prototype.toString.call(value) === "[object Array]") return value.indexOf(filters[name]) !== -1;
      return value !== undefined && value !== null && String(value) === filters[name];
    });
  }

  function expressionUrl(id) {
    return arrivalsBox.getAttribute("data-expression-url").replace(/\/0\/$/, "/" + id + "/");
  }

  function showArrivalsBox() {
    arrivalsBox.classList.add("is-active");
  }

  function renderSummary() {
    var waiting = [], elsewhere = 0;
    order.forEach(function (id) {
      var arrival = arrivals[id];
      if (arrival.handled) return;
      if (arrival.inView) waiting.push(id); else elsewhere += 1;
    });
    var summary = part("summary");
    while (summary.firstChild) summary.removeChild(summary.firstChild);
    if (!waiting.length && !elsewhere) return;
    var pieces = [];
    if (waiting.length) {
      var strong = document.createElement("strong");
      strong.textContent = counted("count", waiting.length);
      pieces.push(strong);
    }
    if (elsewhere && Object.keys(filters).length) pieces.push(document.createTextNode(counted("elsewhere", elsewhere)));
    if (waiting.length) {
      var link = document.createElement("a");
      var allHere = waiting.every(function (id) { return arrivals[id].appended; });
      link.href = (allHere ? "" : arrivalsBox.getAttribute("data-new-url")) + "#expression-" + waiting[0];
      link.textContent = text("see", waiting.length);
      link.setAttribute("data-arrivals-link", "");
      pieces.push(link);
    }
    pieces.forEach(function (piece, index) {
      if (index) summary.appendChild(document.createTextNode(" · "));
      summary.appendChild(piece);
    });
    showArrivalsBox();
  }

  // An item of the list: built from text nodes only, never from HTML of the event.
  function arrivalItem(event) {
    var item = document.createElement("li");
    item.setAttribute("data-arrival", String(event.id));
    var link = document.createElement("a");
    link.href = expressionUrl(event.id);
    link.textContent = text("title", event.id);
    item.appendChild(link);
    var kind = event.type === "expression.reported" ? "reported" : "submitted";
    var details = " · " + event.arrival.quartier + " · " + text(kind) + " : « " + event.arrival.excerpt + " »";
    item.appendChild(document.createTextNode(details));
    return item;
  }

  function onArrival(event) {
    var id = String(event.id);
    if (arrivals[id] && !arrivals[id].handled) return;
    var inView = matchesFilters(event.arrival.filters);
    arrivals[id] = {inView: inView, handled: false, appended: false};
    order = order.filter(function (known) { return known !== id; });
    order.push(id);
    if (inView) {
      var list = part("list");
      list.insertBefore(arrivalItem(event), list.firstChild);
      while (list.children.length > SHOWN) list.removeChild(list.lastChild);
      if (queue.getAttribute("data-view") === "a-moderer" && belongsHere()) {
        arrivals[id].appended = true;
        addRow(id);
      }
    }
    // One outside the filters is counted, not read aloud: the mediator chose this filter.
    renderSummary();
  }

  function onLeaving(id) {
    var arrival = arrivals[String(id)];
    if (!arrival || arrival.handled) return;
    arrival.handled = true;
    var item = part("list").querySelector('[data-arrival="' + String(id) + '"]');
    if (item && !item.classList.contains("is-handled")) {
      item.classList.add("is-handled");
      item.appendChild(document.createTextNode(" — " + text("handled")));
    }
    renderSummary();
  }

  function setFeedState(state) {
    if (!arrivalsBox || state === feedState) return;
    var was = feedState;
    feedState = state;
    if (state === "paused") part("state").textContent = text("paused");
    else if (was === "paused") part("state").textContent = text("resumed");
    else return;
    showArrivalsBox();
  }

  function onQueueEvent(event) {
    var view = queue.getAttribute("data-view");
    var id = event.id;
    // What leaves the queue to moderate: a decision, a report read, an erasure.
    var leaves = event.type === "expression.deleted" || event.type === "expression.status" ||
      event.type === "expression.reviewed";
    if (arrivalsBox && event.arrival) onArrival(event);
    else if (arrivalsBox && leaves) onLeaving(id);
    if (event.type === "expression.deleted") { markHandled(id, outcome(event), true); return; }
    if (view === "a-moderer") {
      // An arrival's row is added by onArrival; a report on one already waiting updates it.
      if (event.type === "expression.reported" && !event.arrival) refreshRow(id);
      else if (leaves) markHandled(id, outcome(event));
      else if (event.type === "expression.updated") refreshRow(id);
    } else {
      if (event.type === "expression.status" && event.status === "publiee") addRow(id, "Nouvelle expression à transmettre : n° " + id + ".");
      else if (event.type === "expression.status" || event.type === "expression.reported") markHandled(id, outcome(event));
      else if (event.type === "expression.reviewed") addRow(id, "Expression de retour à transmettre : n° " + id + ".");
      else if (event.type === "expression.updated") refreshRow(id);
    }
  }

  function onStaffPageEvent(event) {
    if (String(event.id) !== staffPage.getAttribute("data-moderation-expression")) return;
    var notice = staffPage.querySelector("[data-changed-elsewhere]");
    if (notice) notice.hidden = false;
  }

  window.LiveSocket.connect("/ws/moderation/", {
    onOpen: function () { setLive(true); setFeedState("live"); refreshCount(); },
    onEvent: function (event) {
      refreshCount();
      if (queue) onQueueEvent(event);
      if (staffPage) onStaffPageEvent(event);
    },
    onClose: function () { setLive(false); setFeedState("paused"); }
  });
})();
