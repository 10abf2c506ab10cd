/* Progressive enhancement of the event form (strict CSP: no inline script; everything is
 * read from data-* attributes). Without JavaScript the form works the same way: the button
 * « Afficher les objectifs des quartiers choisis » draws the form again, and the latitude and
 * longitude are typed in their fields.
 *
 * 1. The objectives narrow live to the quartiers ticked (a quartier unticked: its
 *    objectives are unticked too, so that nothing hidden is sent).
 * 2. The place is picked on a map: a click sets the latitude and longitude (shown in their
 *    fields, which stay editable) and the marker can be dragged. Without a tile server
 *    (data-tile-url empty) the map is a plain background with the quartiers' centres. */
(function () {
  "use strict";
  var form = document.querySelector("[data-event-form]");
  if (!form) return;

  // --- 1. Objectives of the chosen quartiers --------------------------------------------
  var quartierBoxes = form.querySelectorAll("input[name=quartiers]");
  var groups = form.querySelectorAll("[data-objectifs-quartier]");
  var empty = form.querySelector("[data-objectifs-empty]");
  var refresh = form.querySelector("[data-objectifs-refresh]");
  if (refresh) refresh.hidden = true;

  function narrowObjectifs() {
    var chosen = {};
    var any = false;
    Array.prototype.forEach.call(quartierBoxes, function (box) {
      if (box.checked) { chosen[box.value] = true; any = true; }
    });
    Array.prototype.forEach.call(groups, function (group) {
      var show = chosen[group.dataset.objectifsQuartier] === true;
      if (!show) {
        Array.prototype.forEach.call(group.querySelectorAll("input[type=checkbox]"), function (box) {
          box.checked = false;
        });
      }
      group.hidden = !show;
    });
    if (empty) empty.hidden = any;
  }
  Array.prototype.forEach.call(quartierBoxes, function (box) {
    box.addEventListener("change", narrowObjectifs);
  });

  // --- 2. The place on the map ------------------------------------------------------------
  var picker = form.querySelector("[data-place-picker]");
  var container = form.querySelector("[data-place-map]");
  var latField = form.querySelector("input[name=latitude]");
  var lngField = form.querySelector("input[name=longitude]");
  if (!picker || !container || !latField || !lngField || typeof window.L === "undefined") return;
  var L = window.L;
  picker.hidden = false;

  function fieldPoint() {
    var lat = parseFloat(latField.value.replace(",", "."));
    var lng = parseFloat(lngField.value.replace(",", "."));
    return isNaN(lat) || isNaN(lng) ? null : L.latLng(lat, lng);
  }

  var start = fieldPoint();
  var centre = [parseFloat(container.dataset.centerLat), parseFloat(container.dataset.centerLng)];
  var map = L.map(container, { scrollWheelZoom: false }).setView(
    start || centre, start ? 16 : parseInt(container.dataset.zoom, 10) || 14
  );
  var tileUrl = container.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 19, attribution: container.dataset.tileAttribution || "" }).addTo(map);
  } else {
    container.classList.add("no-tiles");
  }

  var quartiers = [];
  try { quartiers = JSON.parse(container.dataset.quartiers || "[]"); } catch (error) { quartiers = []; }
  quartiers.forEach(function (quartier) {
    L.circle([quartier.lat, quartier.lng], {
      radius: 250, weight: 2, color: "#5b6b7f", fillColor: "#cfd8e3", fillOpacity: 0.35,
      interactive: false
    }).addTo(map).bindTooltip(quartier.name, { permanent: true, direction: "center", className: "place-map-label" });
  });

  var marker = null;
  function write(point) {
    latField.value = point.lat.toFixed(6);
    lngField.value = point.lng.toFixed(6);
    latField.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function place(point) {
    if (marker) {
      marker.setLatLng(point);
      return;
    }
    // The icon's addresses come from the page: with hashed static files, Leaflet cannot guess
    // them from its stylesheet.
    var icon = L.icon({
      iconUrl: container.dataset.markerIcon,
      iconRetinaUrl: container.dataset.markerIcon2x,
      shadowUrl: container.dataset.markerShadow,
      iconSize: [25, 41], iconAnchor: [12, 41], popupAnchor: [1, -34], tooltipAnchor: [16, -28],
      shadowSize: [41, 41]
    });
    marker = L.marker(point, {
      icon: icon, draggable: true, keyboard: true,
      title: container.dataset.markerLabel, alt: container.dataset.markerLabel
    }).addTo(map);
    marker.on("dragend", function () { write(marker.getLatLng()); });
  }
  if (start) place(start);

  map.on("click", function (event) {
    place(event.latlng);
    write(event.latlng);
  });
  function followFields() {
    var point = fieldPoint();
    if (!point) return;
    place(point);
    map.panTo(point);
  }
  latField.addEventListener("input", followFields);
  lngField.addEventListener("input", followFields);
})();
