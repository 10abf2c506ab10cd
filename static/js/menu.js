/* The header's menu on a phone. Progressive enhancement: without this script, or on a
   screen wider than 37.5rem, every link of the header is shown as it is (templates/base.html).
   Here, on a narrow screen, the links fold behind one « Menu » button (the DSFR header
   pattern), so that the page's own content starts in the first screen: the button says
   whether the menu is open (aria-expanded) and how many notifications are unread; Escape
   closes the menu and gives the focus back to the button. */
(function () {
  "use strict";
  var button = document.querySelector("[data-menu-button]");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) return;
  var header = button.closest(".site-header");
  var unread = button.querySelector("[data-menu-unread]");

  /* The unread count of the folded « Notifications » link, on the button (js/live.js calls
     it again when a notification arrives). */
  function showUnread() {
    var badge = menu.querySelector("[data-live-notifications] .badge");
    unread.textContent = "";
    if (!badge) return;
    var shown = document.createElement("span");
    shown.className = "badge";
    shown.textContent = badge.textContent;
    var said = document.createElement("span");
    said.className = "visually-hidden";
    said.textContent = " " + button.getAttribute("data-menu-unread-text");
    unread.appendChild(document.createTextNode(" "));
    unread.appendChild(shown);
    unread.appendChild(said);
  }
  window.showMenuUnread = showUnread;
  showUnread();

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("menu-open", open);
  }
  setOpen(false);
  header.classList.add("menu-folds");
  button.hidden = false;
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();
