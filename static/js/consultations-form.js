/* Expression form: when the quartier changes, show its objectives in place (no reload).
   Without this script, the « Afficher les objectifs de ce quartier » button does the same. */
(function () {
  "use strict";
  var form = document.querySelector("[data-expression-form]");
  var dataNode = document.getElementById("objectifs-data");
  if (!form || !dataNode) return;
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
    groups.forEach(function (group) {
      var details = document.createElement("details");
      details.className = "enjeu";
      var summary = document.createElement("summary");
      summary.textContent = group.enjeu;
      details.appendChild(summary);
      var list = document.createElement("ul");
      list.className = "choices";
      group.objectifs.forEach(function (objectif) {
        var item = document.createElement("li");
        var input = document.createElement("input");
        input.type = "checkbox";
        input.name = "objectifs";
        input.value = String(objectif.id);
        input.id = "objectif-" + objectif.id;
        if (checked[input.value]) { input.checked = true; details.open = true; }
        var label = document.createElement("label");
        label.htmlFor = input.id;
        label.textContent = objectif.label;
        item.appendChild(input);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(label);
        list.appendChild(item);
      });
      details.appendChild(list);
      container.appendChild(details);
    });
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
