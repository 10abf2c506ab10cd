/* « Imprimer l'affiche »: a button for the browser's print dialog. Without this script the
   page says to print from the browser's menu, and the button stays hidden. */
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (!button || !window.print) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
