/* Progressive enhancement: live notification counter over a WebSocket. Pages work without it. */
(function () {
  "use strict";
  if (!document.body.hasAttribute("data-user") || !("WebSocket" in window)) return;
  var link = document.querySelector("[data-live-notifications]");
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var retry = 1000;
  function connect() {
    var socket = new WebSocket(scheme + location.host + "/ws/notifications/");
    socket.onopen = function () { retry = 1000; };
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
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
      }
      document.dispatchEvent(new CustomEvent("live:event", { detail: event }));
    };
    socket.onclose = function () {
      document.dispatchEvent(new CustomEvent("live:closed"));
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
