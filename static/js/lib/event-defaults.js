/* A field entry for an event takes the event's kind of meeting, and its quartier when the
   event has only one (with several, the mediator chooses: none is guessed). The server
   applies the same rule when nothing is chosen (services.event_defaults in
   consultations/expressions); this shows it in the form as soon as the event is chosen, and
   the mediator may still change both. Used by field-form.js (the field form) and by the
   field mode (terrain/form.js).

   A classic script that sets window.EventDefaults, like lib/objectifs-checklist.js: the
   field mode's ES modules load it with `import "../lib/event-defaults.js"`.

   EventDefaults.apply(selects, event)
     selects: {source: <select>, quartier: <select>};
     event: {source: "permanence", quartiers: ["3"]}, the quartiers as the values of the
       quartier select's options;
     sets both selects and returns {message, quartierChanged}: the sentence that says what
     was done (for a polite live region) and whether the quartier changed (its objectives
     are then to be drawn again). */
(function () {
  "use strict";

  function find(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) return select.options[i];
    }
    return null;
  }

  function names(select, values) {
    return values.map(function (value) { return find(select, value).textContent; }).join(", ");
  }

  function apply(selects, event) {
    var source = selects.source;
    var quartier = selects.quartier;
    var said = [];
    var option = event.source ? find(source, event.source) : null;
    if (option) {
      source.value = event.source;
      said.push("type de rencontre « " + option.textContent + " »");
    }
    var quartiers = (event.quartiers || []).map(String).filter(function (value) {
      return !!find(quartier, value);
    });
    var before = quartier.value;
    var extra = "";
    if (quartiers.length === 1) {
      quartier.value = quartiers[0];
      said.push("quartier " + names(quartier, quartiers));
    } else if (quartiers.length > 1) {
      if (quartiers.indexOf(before) === -1) quartier.value = "";
      extra = " Il concerne plusieurs quartiers (" + names(quartier, quartiers) + ") : " +
        (quartier.value ? "vérifiez celui dont parlent les personnes." : "choisissez celui dont parlent les personnes.");
    }
    var message = said.length ? "Repris de l'événement : " + said.join(", ") + "." : "";
    return { message: (message + extra).trim(), quartierChanged: quartier.value !== before };
  }

  window.EventDefaults = { apply: apply };
})();
