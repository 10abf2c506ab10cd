/* Warns before leaving a page whose form holds changes not saved. A form marked
   data-unsaved-warning is compared with what the page showed; one the server sent back
   with what was typed (data-unsaved: an error, nothing saved) counts as changed from the
   start. Submitting the form is never warned about. Progressive enhancement: without
   it, the page works the same, only without the warning. */
(function () {
  "use strict";
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-unsaved-warning]"));
  if (!forms.length) return;
  var submitting = false;

  function state(form) {
    var parts = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.disabled) return;
      if (el.type === "submit" || el.type === "button") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      parts.push(el.name + "=" + el.value);
    });
    return parts.join("&");
  }

  var shown = forms.map(function (form) {
    return form.hasAttribute("data-unsaved") ? null : state(form);
  });

  function changed() {
    return forms.some(function (form, index) {
      return shown[index] === null || state(form) !== shown[index];
    });
  }

  forms.forEach(function (form) {
    form.addEventListener("submit", function () { submitting = true; });
  });
  // Back to a page kept by the browser: its form is on screen again, and may be left.
  window.addEventListener("pageshow", function () { submitting = false; });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || !changed()) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers show the dialog only with this set
  });
})();
