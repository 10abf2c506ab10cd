/* Small helpers of the field mode: identifiers, cookies, French wording, the network. */

var FETCH_TIMEOUT = 20000;

export function uuid4() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  var bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
  return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
}

export function cookie(name) {
  var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
  return match ? decodeURIComponent(match[1]) : "";
}

export function plural(count, one, many) { return count + " " + (count > 1 ? many : one); }

export function formatTime(iso) {
  if (!iso) return "";
  var date = new Date(iso);
  return date.toLocaleDateString("fr-FR", { day: "numeric", month: "long" }) + " à " +
    date.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
}

// ISO 8601 with the device's offset (2026-12-03T10:15:00+01:00): when an entry was typed.
export function localIso(date) {
  function pad(n) { return String(n).padStart(2, "0"); }
  var offset = -date.getTimezoneOffset();
  var abs = Math.abs(offset);
  return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
    "T" + pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds()) +
    (offset < 0 ? "-" : "+") + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
}

export function formatSize(bytes) {
  if (bytes >= 1048576) return (bytes / 1048576).toFixed(1).replace(".", ",") + " Mo";
  return Math.max(1, Math.round(bytes / 1024)) + " ko";
}

export function fetchWithTimeout(url, options) {
  var controller = "AbortController" in window ? new AbortController() : null;
  var timer = controller ? setTimeout(function () { controller.abort(); }, FETCH_TIMEOUT) : null;
  var opts = Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options || {});
  if (controller) opts.signal = controller.signal;
  return fetch(url, opts).finally(function () { if (timer) clearTimeout(timer); });
}

export function readJson(response) {
  return response.json().catch(function () { return null; });
}
