/* Progressive enhancement: the events map. The list below it stays the primary view.
 * Reads everything from data-* attributes (strict CSP: no inline script). Without a tile
 * server (data-tile-url empty) the markers are drawn on a plain background. */
(function () {
  "use strict";
  var container = document.querySelector("[data-event-map]");
  if (!container || typeof window.L === "undefined") return;
  var L = window.L;
  var items = document.querySelectorAll("[data-map-marker]");
  container.hidden = false;
  var center = [parseFloat(container.dataset.centerLat), parseFloat(container.dataset.centerLng)];
  var map = L.map(container, { scrollWheelZoom: false }).setView(center, parseInt(container.dataset.zoom, 10) || 14);
  var tileUrl = container.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 19, attribution: container.dataset.tileAttribution || "" }).addTo(map);
  } else {
    container.classList.add("no-tiles");
  }
  var bounds = [];
  Array.prototype.forEach.call(items, function (item) {
    var lat = parseFloat(item.dataset.lat), lng = parseFloat(item.dataset.lng);
    if (isNaN(lat) || isNaN(lng)) return;
    var cancelled = item.dataset.cancelled === "1";
    var marker = L.circleMarker([lat, lng], {
      radius: 10, weight: 3,
      color: cancelled ? "#b3261e" : "#143a66",
      fillColor: cancelled ? "#f3c1bd" : "#1d4e89", fillOpacity: 0.85
    }).addTo(map);
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = item.dataset.url;
    link.textContent = item.dataset.title;
    var when = document.createElement("p");
    when.textContent = item.dataset.when;
    var place = document.createElement("p");
    place.textContent = item.dataset.place;
    popup.appendChild(link);
    popup.appendChild(when);
    popup.appendChild(place);
    marker.bindPopup(popup);
    marker.bindTooltip(item.dataset.title);
    bounds.push([lat, lng]);
  });
  if (bounds.length > 1) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
  } else if (bounds.length === 1) {
    map.setView(bounds[0], 16);
  }
})();
