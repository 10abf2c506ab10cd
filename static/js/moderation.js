/* Moderation, live: the header counter on every staff page, and on the queue page new or
   reported expressions appear and handled ones leave, without reload. Progressive
   enhancement: every page works without it, and says when the live feed is paused. The
   socket, and its reconnection, is lib/live-socket.js's. */
(function () {
  "use strict";
  var counters = document.querySelectorAll("[data-moderation-count]");
  var counterLink = document.querySelector("[data-moderation-counter]");
  var queue = document.querySelector("[data-moderation-queue]");
  var staffPage = document.querySelector("[data-moderation-expression]");
  var statusBox = document.querySelector("[data-live-status]");
  var announceBox = document.querySelector("[data-live-announce]");
  if (!counterLink || !window.LiveSocket) return;
  var counterUrl = counterLink.getAttribute("data-counter-url");
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
        })
        .catch(function () {});
    }, 300);
  }

  function rows() { return queue && queue.querySelector("[data-queue-rows]"); }

  function setVisibleCount(delta) {
    var box = queue && queue.querySelector("[data-visible-count]");
    if (box) box.textContent = String(Math.max(0, parseInt(box.textContent, 10) + delta));
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

  function addRow(id) {
    var list = rows();
    // Oldest first: a new one goes last, so only the last page shows it.
    if (!list || queue.getAttribute("data-last-page") !== "1") return;
    if (document.getElementById("expression-" + id)) return;
    fetchRow(id, function (row) {
      if (!row || document.getElementById("expression-" + id)) return;
      row.classList.add("is-new");
      list.appendChild(row);
      setVisibleCount(1);
      announce("Nouvelle expression dans la file : n° " + id + ".");
    });
  }

  function removeRow(id) {
    var row = document.getElementById("expression-" + id);
    if (!row) return;
    var box = row.querySelector("input[type=checkbox]");
    var hadFocus = row.contains(document.activeElement);
    row.parentNode.removeChild(row);
    setVisibleCount(-1);
    announce("L'expression n° " + id + " a été traitée" + (box && box.checked ? " (elle était cochée)." : "."));
    if (hadFocus && queue) queue.querySelector("h1").focus();
  }

  function refreshRow(id) {
    var row = document.getElementById("expression-" + id);
    if (!row) return;
    var wasChecked = row.querySelector("input[type=checkbox]").checked;
    fetchRow(id, function (fresh) {
      var current = document.getElementById("expression-" + id);
      if (!current) return;
      if (!fresh) { removeRow(id); return; }
      fresh.querySelector("input[type=checkbox]").checked = wasChecked;
      current.parentNode.replaceChild(fresh, current);
    });
  }

  function onQueueEvent(event) {
    var view = queue.getAttribute("data-view");
    var id = event.id;
    if (event.type === "expression.deleted") { removeRow(id); return; }
    if (view === "a-moderer") {
      if (event.type === "expression.submitted" || event.type === "expression.reported") addRow(id);
      else if (event.type === "expression.status" || event.type === "expression.reviewed") removeRow(id);
      else if (event.type === "expression.updated") refreshRow(id);
    } else {
      if (event.type === "expression.status" && event.status === "publiee") addRow(id);
      else if (event.type === "expression.status" || event.type === "expression.reported") removeRow(id);
      else if (event.type === "expression.reviewed") addRow(id);
      else if (event.type === "expression.updated") refreshRow(id);
    }
  }

  function onStaffPageEvent(event) {
    if (String(event.id) !== staffPage.getAttribute("data-moderation-expression")) return;
    var notice = staffPage.querySelector("[data-changed-elsewhere]");
    if (notice) notice.hidden = false;
  }

  window.LiveSocket.connect("/ws/moderation/", {
    onOpen: function () { setLive(true); refreshCount(); },
    onEvent: function (event) {
      refreshCount();
      if (queue) onQueueEvent(event);
      if (staffPage) onStaffPageEvent(event);
    },
    onClose: function () { setLive(false); }
  });
})();
