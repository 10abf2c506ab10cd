/* « Écouter »: the page's main text read aloud by the browser's own speech synthesis.
   Progressive enhancement: the button (templates/base.html) stays hidden where the browser
   cannot speak, and nothing is downloaded. What is read: the regions of <main> marked
   data-listen-text if the page has some, else the whole of <main>; block by block (a
   heading, a paragraph, an item of a list), each in its own language, skipping form controls,
   pictures and whatever is not shown. While it speaks, the button says « Arrêter ». */
(function () {
  "use strict";
  var button = document.querySelector("[data-listen]");
  if (!button || !("speechSynthesis" in window) || !("SpeechSynthesisUtterance" in window)) return;
  var synth = window.speechSynthesis;
  var label = button.querySelector("[data-listen-label]") || button;
  var SKIPPED = "script, style, template, noscript, select, textarea, input, button, svg, img, " +
    "[hidden], [aria-hidden='true'], [data-listen-skip]";
  var INLINE = /^(A|ABBR|B|BDI|BDO|CITE|CODE|DATA|DFN|EM|I|KBD|MARK|Q|S|SMALL|SPAN|STRONG|SUB|SUP|TIME|U|VAR)$/;
  var run = 0; // which reading the callbacks belong to: a new one makes the old ones silent

  function languageOf(element) {
    var holder = element.closest("[lang]");
    var lang = holder ? holder.getAttribute("lang") : "fr";
    return lang === "fr" ? "fr-FR" : lang;
  }

  function shown(element) {
    return element.getClientRects().length > 0 || getComputedStyle(element).display === "contents";
  }

  /* The text of ``root`` as a list of {text, lang}: one entry per block. */
  function blocksOf(root) {
    var parts = [];
    var buffer = "";
    var bufferLang = languageOf(root);
    function flush() {
      var text = buffer.replace(/\s+/g, " ").trim();
      if (text) parts.push({ text: text, lang: bufferLang });
      buffer = "";
    }
    function walk(node) {
      for (var child = node.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === Node.TEXT_NODE) {
          if (!buffer.trim()) bufferLang = languageOf(node);
          buffer += child.nodeValue;
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          if (child.matches(SKIPPED) || !shown(child)) continue;
          if (INLINE.test(child.tagName) && !child.hasAttribute("lang")) {
            walk(child);
          } else {
            flush();
            walk(child);
            flush();
          }
        }
      }
    }
    walk(root);
    flush();
    return parts;
  }

  function mainText() {
    var regions = document.querySelectorAll("main [data-listen-text]");
    if (!regions.length) regions = document.querySelectorAll("main");
    var parts = [];
    Array.prototype.forEach.call(regions, function (region) {
      parts = parts.concat(blocksOf(region));
    });
    return parts;
  }

  function voiceFor(lang) {
    var voices = synth.getVoices() || [];
    var base = lang.split("-")[0].toLowerCase();
    var near = null;
    for (var i = 0; i < voices.length; i++) {
      var voiceLang = (voices[i].lang || "").replace("_", "-");
      if (voiceLang.toLowerCase() === lang.toLowerCase()) return voices[i];
      if (!near && voiceLang.split("-")[0].toLowerCase() === base) near = voices[i];
    }
    return near;
  }

  function show(speaking) {
    label.textContent = button.getAttribute(speaking ? "data-listen-stop" : "data-listen-start");
    if (speaking) button.setAttribute("data-speaking", "");
    else button.removeAttribute("data-speaking");
  }

  function stop() {
    run += 1;
    synth.cancel();
    show(false);
  }

  function start() {
    var parts = mainText();
    stop();
    if (!parts.length) return;
    var mine = run;
    var ended = function () {
      if (mine === run) stop();
    };
    show(true);
    parts.forEach(function (part, index) {
      var utterance = new SpeechSynthesisUtterance(part.text);
      utterance.lang = part.lang;
      var voice = voiceFor(part.lang);
      if (voice) utterance.voice = voice;
      utterance.onerror = ended;
      if (index === parts.length - 1) utterance.onend = ended;
      synth.speak(utterance);
    });
  }

  button.addEventListener("click", function () {
    if (button.hasAttribute("data-speaking")) stop();
    else start();
  });
  window.addEventListener("pagehide", function () {
    run += 1;
    synth.cancel();
  });
  button.hidden = false;
})();
