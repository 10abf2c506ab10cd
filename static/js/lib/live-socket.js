/* One reconnecting WebSocket for the live parts of the pages (notifications, moderation,
   committee): live.js, moderation.js and committee.js use it, base.html loads it first.

   A classic script that sets a plain global, window.LiveSocket, rather than an ES module:
   the scripts that use it are classic ES5 scripts, so that they also run on residents' old
   phones, and a classic script can neither import a module nor count on one having run
   (a browser without modules would skip it). window.LiveSocket exists only where WebSocket
   does: a page script checks for it, and without it the page works as it does without
   JavaScript.

   LiveSocket.connect(path, {onOpen, onEvent, onClose, giveUpOn}):
   - opens ws(s)://<this host><path> and hands each message, parsed from JSON, to onEvent;
   - when the socket closes, calls onClose(closeEvent), then opens a new one after 1 s,
     then 2, 4… up to 30 s between attempts; a socket that opens brings the wait back to 1 s;
   - a close code listed in giveUpOn (the server's 4401 « not signed in », 4403 « role
     missing ») ends it: no onClose, no new attempt.
   The handlers are set as properties (socket.onclose = …): the browser tests that stand in
   for a failing WebSocket rely on it. */
(function () {
  "use strict";
  if (!("WebSocket" in window)) return;

  var FIRST_WAIT = 1000;
  var LONGEST_WAIT = 30000;

  function connect(path, options) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var giveUpOn = options.giveUpOn || [];
    var wait = FIRST_WAIT;

    function open() {
      var socket = new WebSocket(scheme + location.host + path);
      socket.onopen = function () {
        wait = FIRST_WAIT;
        if (options.onOpen) options.onOpen();
      };
      socket.onmessage = function (message) {
        if (options.onEvent) options.onEvent(JSON.parse(message.data));
      };
      socket.onclose = function (event) {
        if (giveUpOn.indexOf(event.code) !== -1) return;
        if (options.onClose) options.onClose(event);
        setTimeout(open, wait);
        wait = Math.min(wait * 2, LONGEST_WAIT);
      };
    }

    open();
  }

  window.LiveSocket = { connect: connect };
})();
