/* The objectives of a quartier as a checklist: one <details class="enjeu"> per enjeu, its
   objectives as checkboxes named "objectifs", each with its label; the same markup as the
   server draws (consultations/partials/quartier_objectifs.html). Used by consultations-form.js
   (the expression forms) and by the field mode (terrain/referential.js).

   A classic script that sets window.ObjectifsChecklist: consultations-form.js is a classic
   ES5 script that residents' old phones run too, and cannot import a module; the field
   mode's ES modules load this same file with `import "../lib/objectifs-checklist.js"` (a
   module may import a file that only runs, and strict mode changes nothing here).

   ObjectifsChecklist.appendGroups(container, groups, options)
     groups: [{title: "…", objectifs: [{id: 12, label: "…"}]}], in the order to show them;
     options.checked: {"12": true} for the objectives to check (their group opens);
     options.idPrefix: "objectif-" by default, so that each input has its own id.
   ObjectifsChecklist.appendChoice(item, objectif, options): the checkbox and its label
     alone, appended to item; returns the checkbox. */
(function () {
  "use strict";

  function appendChoice(item, objectif, options) {
    var input = document.createElement("input");
    input.type = "checkbox";
    input.name = "objectifs";
    input.value = String(objectif.id);
    input.id = (options.idPrefix || "objectif-") + objectif.id;
    input.checked = !!(options.checked && options.checked[input.value]);
    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = objectif.label;
    item.appendChild(input);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(label);
    return input;
  }

  function appendGroups(container, groups, options) {
    groups.forEach(function (group) {
      var details = document.createElement("details");
      details.className = "enjeu";
      var summary = document.createElement("summary");
      summary.textContent = group.title;
      details.appendChild(summary);
      var list = document.createElement("ul");
      list.className = "choices";
      group.objectifs.forEach(function (objectif) {
        var item = document.createElement("li");
        if (appendChoice(item, objectif, options).checked) details.open = true;
        list.appendChild(item);
      });
      details.appendChild(list);
      container.appendChild(details);
    });
  }

  window.ObjectifsChecklist = { appendGroups: appendGroups, appendChoice: appendChoice };
})();
