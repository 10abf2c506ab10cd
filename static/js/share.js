/* « Partager… »: the phone's own sharing sheet (the Web Share API), when the browser has
   it; otherwise the button stays hidden and the links beside it do the same. */
(function () {
  "use strict";
  var button = document.querySelector("[data-share]");
  if (!button || !navigator.share) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.share({
      title: button.getAttribute("data-share-title"),
      text: button.getAttribute("data-share-text"),
      url: button.getAttribute("data-share-url"),
    }).catch(function () { /* closed without sharing */ });
  });
})();
