/* Field form (the page with network): choosing the event fills in its kind of meeting and
   its quartier (lib/event-defaults.js), says so in a polite live region, and draws the
   quartier's objectives again (consultations-form.js listens to the quartier's change).
   Without this script the server does the same for whatever is left empty. */
(function () {
  "use strict";
  var form = document.querySelector("[data-field-form]");
  var dataNode = document.getElementById("evenements-data");
  if (!form || !dataNode || !window.EventDefaults) return;
  var events = JSON.parse(dataNode.textContent);
  var evenement = form.querySelector("select[name=evenement]");
  var selects = {
    source: form.querySelector("select[name=source]"),
    quartier: form.querySelector("select[name=quartier]")
  };
  var note = form.querySelector("[data-event-defaults]");
  if (!evenement || !selects.source || !selects.quartier) return;

  // onlyEmpty: back with an error, what the server took from the event is shown again
  // where the form was left empty, and nothing the mediator chose is changed.
  function fill(onlyEmpty) {
    var event = events[evenement.value];
    if (!event) { if (note) note.textContent = ""; return; }
    if (onlyEmpty) {
      event = {
        source: selects.source.value ? "" : event.source,
        quartiers: selects.quartier.value ? [] : event.quartiers
      };
    }
    var done = window.EventDefaults.apply(selects, event);
    if (done.quartierChanged) selects.quartier.dispatchEvent(new Event("change", { bubbles: true }));
    if (note && !onlyEmpty) note.textContent = done.message;
  }

  evenement.addEventListener("change", function () { fill(false); });
  if (evenement.value) fill(true);
})();
