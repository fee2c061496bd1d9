// archive-svc pages: scanner-friendly record form, audible outcome, form preservation.
// Static file only (the CSP forbids inline scripts).
(function () {
  "use strict";

  var audio = null;
  function beep(ok) {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      audio = audio || new Ctx();
      var tones = ok ? [880] : [220, 180];
      tones.forEach(function (freq, i) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = ok ? "sine" : "square";
        osc.frequency.value = freq;
        gain.gain.value = 0.15;
        osc.connect(gain);
        gain.connect(audio.destination);
        var start = audio.currentTime + i * 0.25;
        osc.start(start);
        osc.stop(start + (ok ? 0.12 : 0.22));
      });
    } catch (e) { /* no audio: the message on screen still says it */ }
  }

  // Keep typed values across an expired session (restored after signing in again).
  function preserve(root) {
    root.querySelectorAll("form[data-preserve]").forEach(function (form) {
      var key = "archive-form:" + form.getAttribute("data-preserve");
      var saved = sessionStorage.getItem(key);
      if (saved) {
        try {
          var values = JSON.parse(saved);
          Object.keys(values).forEach(function (name) {
            var field = form.elements[name];
            if (field && !field.value && field.type !== "hidden") { field.value = values[name]; }
          });
        } catch (e) { sessionStorage.removeItem(key); }
      }
      form.addEventListener("input", function () {
        var values = {};
        Array.prototype.forEach.call(form.elements, function (el) {
          if (el.name && el.type !== "hidden" && el.type !== "password") { values[el.name] = el.value; }
        });
        sessionStorage.setItem(key, JSON.stringify(values));
      });
    });
  }

  function afterSwap(root) {
    var outcome = root.querySelector("[data-outcome]");
    if (outcome) {
      var ok = outcome.getAttribute("data-outcome") === "ok";
      beep(ok);
      if (ok) { sessionStorage.removeItem("archive-form:record"); }
    }
    var scan = root.querySelector("[data-scan-field]");
    if (scan) { if (root !== document) { scan.value = ""; } scan.focus(); }
    preserve(root);
  }

  document.addEventListener("DOMContentLoaded", function () { afterSwap(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    // Completions of a field swap a datalist: nothing was submitted.
    if (event.detail && event.detail.elt && event.detail.elt.tagName === "DATALIST") { return; }
    var target = event.detail && event.detail.elt ? event.detail.elt.parentNode || document : document;
    afterSwap(target);
  });
})();

// The record form: the chosen movement's one-line hint follows the selection.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select || select.id !== "kind") { return; }
    var hint = document.getElementById("kind-hint");
    var option = select.options[select.selectedIndex];
    if (hint && option) { hint.textContent = option.getAttribute("data-hint") || ""; }
  });
})();
