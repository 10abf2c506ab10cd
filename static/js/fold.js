/* Filters folded on a phone (<details data-open-wide>), where they filled the first screen and
   pushed the results out of sight: on a wider screen they are opened, as they were. Without
   this script they stay folded, one tap away. */
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 37.5rem)").matches) return;
  var folds = document.querySelectorAll("details[data-open-wide]");
  for (var i = 0; i < folds.length; i++) folds[i].open = true;
})();
