/* Expression form: when the quartier changes, show its objectives in place (no reload),
   drawn by lib/objectifs-checklist.js. Without these scripts, the « Afficher les objectifs
   de ce quartier » button does the same. */
(function () {
  "use strict";
  var form = document.querySelector("[data-expression-form]");
  var dataNode = document.getElementById("objectifs-data");
  if (!form || !dataNode || !window.ObjectifsChecklist) return;
  var select = form.querySelector("select[name=quartier]");
  var container = form.querySelector("[data-objectifs-groups]");
  var nameNode = form.querySelector("[data-quartier-name]");
  var refresh = form.querySelector("[data-refresh-objectifs]");
  if (!select || !container) return;
  var data = JSON.parse(dataNode.textContent);
  if (refresh) refresh.hidden = true;

  function checkedIds() {
    var ids = {};
    container.querySelectorAll("input[name=objectifs]:checked").forEach(function (input) {
      ids[input.value] = true;
    });
    return ids;
  }

  function render(quartierId) {
    var groups = data[quartierId] || [];
    var checked = checkedIds();
    container.textContent = "";
    if (!groups.length) {
      var empty = document.createElement("p");
      empty.textContent = "Les objectifs de ce quartier ne sont pas encore en ligne.";
      container.appendChild(empty);
    }
    window.ObjectifsChecklist.appendGroups(container, groups.map(function (group) {
      return { title: group.enjeu, objectifs: group.objectifs };
    }), { checked: checked });
    if (nameNode) {
      var option = select.options[select.selectedIndex];
      nameNode.textContent = option ? option.textContent : "";
    }
  }

  select.addEventListener("change", function () { render(select.value); });

  // « Je ne sais pas » and objectives exclude each other, gently.
  var unknown = form.querySelector("input[name=objectifs_unknown]");
  if (unknown) {
    unknown.addEventListener("change", function () {
      if (!unknown.checked) return;
      container.querySelectorAll("input[name=objectifs]:checked").forEach(function (input) {
        input.checked = false;
      });
    });
    container.addEventListener("change", function (event) {
      if (event.target.name === "objectifs" && event.target.checked) unknown.checked = false;
    });
  }
})();
