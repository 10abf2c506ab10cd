/* « Flouter une zone »: draw a rectangle on the photo (mouse, pen or finger) and the four
   fields of the form (from the left, from the top, width, height, in percent of the photo)
   are filled; typing in the fields moves the rectangle. Progressive enhancement: without
   it, the fields are typed by hand and the form works the same. */
(function () {
  "use strict";
  var FIELDS = ["left", "top", "width", "height"];

  function clamp(value) {
    return Math.min(100, Math.max(0, value));
  }

  function round(value) {
    return Math.round(value * 10) / 10;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-blur-area]"), function (frame) {
    var form = document.getElementById(frame.getAttribute("data-blur-area"));
    var image = frame.querySelector("img");
    var rectangle = frame.querySelector("[data-blur-rectangle]");
    if (!form || !image || !rectangle || !window.PointerEvent) return;
    var fields = {};
    FIELDS.forEach(function (name) {
      fields[name] = form.querySelector("[name='flou-" + name + "']");
    });
    var start = null;

    function point(event) {
      var box = image.getBoundingClientRect();
      return {
        x: clamp(((event.clientX - box.left) / box.width) * 100),
        y: clamp(((event.clientY - box.top) / box.height) * 100),
      };
    }

    function show(area) {
      if (!(area.width > 0 && area.height > 0)) {
        rectangle.hidden = true;
        return;
      }
      rectangle.style.left = area.left + "%";
      rectangle.style.top = area.top + "%";
      rectangle.style.width = area.width + "%";
      rectangle.style.height = area.height + "%";
      rectangle.hidden = false;
    }

    function between(a, b) {
      return {
        left: round(Math.min(a.x, b.x)),
        top: round(Math.min(a.y, b.y)),
        width: round(Math.abs(a.x - b.x)),
        height: round(Math.abs(a.y - b.y)),
      };
    }

    function typed() {
      var area = {};
      FIELDS.forEach(function (name) {
        area[name] = parseFloat(fields[name] && fields[name].value);
      });
      return area;
    }

    image.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      event.preventDefault();
      start = point(event);
      image.setPointerCapture(event.pointerId);
      show(between(start, start));
    });
    image.addEventListener("pointermove", function (event) {
      if (start) show(between(start, point(event)));
    });
    function finish(event) {
      if (!start) return;
      var area = between(start, point(event));
      start = null;
      if (!(area.width > 0 && area.height > 0)) return;
      FIELDS.forEach(function (name) {
        if (fields[name]) fields[name].value = area[name];
      });
      show(area);
    }
    image.addEventListener("pointerup", finish);
    image.addEventListener("pointercancel", function () {
      start = null;
    });
    form.addEventListener("input", function () {
      show(typed());
    });
    frame.classList.add("is-drawable");
    var hint = document.querySelector("[data-blur-hint]");
    if (hint) hint.hidden = false;
    show(typed());
  });
})();
