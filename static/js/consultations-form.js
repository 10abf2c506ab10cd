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
  var help = document.getElementById("objectifs-aide");
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
      empty.textContent = quartierId ? "Les objectifs de ce quartier ne sont pas encore en ligne." :
        "Choisissez d'abord le quartier : ses objectifs s'afficheront ici.";
      container.appendChild(empty);
    }
    if (help) help.hidden = !quartierId;
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

/* A photo kept when the form came back (consultations/partials/photo_field.html): the file
   input is for « Choisir une autre photo » only, and leaving that choice empties it, so that
   « Garder » or « Retirer » never sends a file chosen meanwhile. Without this script every
   input stays visible and the server reads the same choices. */
(function () {
  "use strict";
  var kept = document.querySelector("[data-kept-photo]");
  var fileField = document.querySelector("[data-photo-file]");
  if (!kept || !fileField) return;
  var file = fileField.querySelector("input[type=file]");
  var replace = kept.querySelector("input[type=radio][value=remplacer]");
  if (!file || !replace) return;

  function sync() {
    fileField.hidden = !replace.checked;
    if (!replace.checked) file.value = "";
  }

  kept.addEventListener("change", function (event) {
    if (event.target.type === "radio") sync();
  });
  sync();
})();
