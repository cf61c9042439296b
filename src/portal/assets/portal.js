/* global document, navigator */
// Progressive enhancement only: every page works without this file.
// Copy buttons: <button data-copy="#element-id">Copy</button> copies that element's text.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    var text = "value" in source ? source.value : source.textContent;
    navigator.clipboard.writeText(text.trim()).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () {
        button.textContent = label;
      }, 1500);
    });
  });
  // Copy buttons appear only where they can work.
  document.addEventListener("DOMContentLoaded", function () {
    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy][hidden]").forEach(function (b) {
      b.hidden = false;
    });
  });
})();
