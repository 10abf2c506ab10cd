/* Progressive enhancement: live notification counter over a WebSocket (lib/live-socket.js).
   Pages work without it. */
(function () {
  "use strict";
  if (!document.body.hasAttribute("data-user") || !window.LiveSocket) return;
  var link = document.querySelector("[data-live-notifications]");
  window.LiveSocket.connect("/ws/notifications/", {
    onEvent: function (event) {
      if (event.type === "notification" && link) {
        var badge = link.querySelector(".badge");
        if (!badge) {
          badge = document.createElement("span");
          badge.className = "badge";
          badge.textContent = "0";
          link.appendChild(document.createTextNode(" "));
          link.appendChild(badge);
        }
        badge.textContent = String(parseInt(badge.textContent, 10) + 1);
        badge.setAttribute("aria-label", badge.textContent + " non lues");
        if (window.showMenuUnread) window.showMenuUnread();
      }
      document.dispatchEvent(new CustomEvent("live:event", { detail: event }));
    },
    onClose: function () {
      document.dispatchEvent(new CustomEvent("live:closed"));
    }
  });
})();
