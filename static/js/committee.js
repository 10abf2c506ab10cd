/* The committee's pages, progressive enhancement only (every page works without it):
   - the dashboard's live counter of what is newly routed to my instances (WebSocket, through
     lib/live-socket.js);
   - the objectives of the filters narrowed to the quartier chosen, before any submit;
   - the progress bar of a long export, polled until its file is ready. */
(function () {
  "use strict";

  // --- Objectives of the chosen quartier ----------------------------------------------
  // The server lists the objectives grouped by quartier, each option naming its quartier
  // (data-quartier); choosing a quartier keeps its objectives only.
  Array.prototype.forEach.call(document.querySelectorAll("select[data-objectifs-of]"), function (objectifs) {
    var form = objectifs.form;
    var quartier = form && form.elements[objectifs.getAttribute("data-objectifs-of")];
    if (!quartier) return;
    // On load, an objective already chosen stays shown, even of another quartier (the page
    // says why it matches nothing); a quartier chosen afterwards lets it go.
    var narrow = function (event) {
      var chosen = quartier.value;
      Array.prototype.forEach.call(objectifs.querySelectorAll("option[data-quartier]"), function (option) {
        var other = !!chosen && option.getAttribute("data-quartier") !== chosen;
        if (other && option.selected) {
          if (!event) other = false;
          else objectifs.value = "";
        }
        option.hidden = other;
        option.disabled = other;
      });
      Array.prototype.forEach.call(objectifs.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
    };
    quartier.addEventListener("change", narrow);
    narrow();
  });

  function plural(count, one, many) {
    return count + " " + (count > 1 ? many : one);
  }

  // --- Live counter on the dashboard ---------------------------------------------------
  var live = document.querySelector("[data-committee-live]");
  if (live && window.LiveSocket) {
    var text = live.querySelector("[data-live-text]");
    var total = document.querySelector("[data-live-total]");
    var filtered = live.getAttribute("data-filtered") === "1";
    var mine = (live.getAttribute("data-instances") || "").split(/\s+/).filter(Boolean).map(Number);
    var routed = 0;
    var answered = 0;
    var seen = {};

    var show = function (message) {
      text.textContent = message;
      live.hidden = false;
    };
    var describe = function () {
      var parts = [];
      if (routed) parts.push(plural(routed, "nouvelle expression transmise", "nouvelles expressions transmises"));
      if (answered) parts.push(plural(answered, "réponse enregistrée", "réponses enregistrées"));
      show(parts.join(", ") + " depuis l'ouverture de cette page.");
    };
    var concerns = function (event) {
      var ids = event.instances || (event.instance ? [event.instance] : []);
      return ids.some(function (id) { return mine.indexOf(id) !== -1; });
    };
    window.LiveSocket.connect("/ws/comite/", {
      // Not signed in, or no longer on the committee: the page says nothing, tries no more.
      giveUpOn: [4401, 4403],
      onEvent: function (event) {
        if (!concerns(event)) return;
        if (event.type === "expression.routed" && !seen[event.id]) {
          seen[event.id] = true;
          routed += 1;
          if (total && !filtered) total.textContent = String(parseInt(total.textContent, 10) + 1);
          describe();
        } else if (event.type === "expression.answered") {
          answered += 1;
          describe();
        }
      },
      onClose: function () {
        show("Le direct est en pause : actualisez la page pour voir les derniers chiffres.");
      }
    });
  }

  // --- Progress of a long export --------------------------------------------------------
  var job = document.querySelector("[data-export-job]");
  if (job && window.fetch) {
    var url = job.getAttribute("data-state-url");
    var bar = job.querySelector("[data-export-progress]");
    var percent = job.querySelector("[data-export-percent]");
    var status = job.querySelector("[data-export-status]");
    var download = job.querySelector("[data-export-download]");
    var reload = job.querySelector("[data-export-reload]");
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          bar.value = state.progress;
          bar.textContent = state.progress + " %";
          percent.textContent = state.progress + " %";
          status.textContent = "État : " + state.label + " — " + state.done + " lignes écrites sur " + state.total + ".";
          if (state.state === "prete") {
            download.hidden = false;
            if (reload) reload.hidden = true;
          } else if (state.state === "echouee") {
            status.textContent = state.error;
            if (reload) reload.hidden = true;
          } else {
            setTimeout(poll, 1500);
          }
        })
        .catch(function () { setTimeout(poll, 5000); });
    };
    if (download.hidden && reload) poll();
  }
})();
