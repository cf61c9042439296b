/* global document, navigator, fetch, FormData, URLSearchParams */
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

// Live preview: a form with data-preview="/url" posts its fields there as they change and shows
// the answer (an HTML fragment) in data-preview-target. Without this script, its Preview button
// does the same with a full page.
(function () {
  "use strict";
  var timers = new WeakMap();
  function refresh(form) {
    var target = document.querySelector(form.getAttribute("data-preview-target"));
    if (!target) return;
    var body = new URLSearchParams(new FormData(form));
    body.delete("op");
    fetch(form.getAttribute("data-preview"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    })
      .then(function (res) {
        return res.text();
      })
      .then(function (html) {
        target.innerHTML = html;
        target.setAttribute("data-preview-ready", "true");
      });
  }
  function schedule(event) {
    var form = event.target.closest ? event.target.closest("form[data-preview]") : null;
    if (!form) return;
    clearTimeout(timers.get(form));
    timers.set(
      form,
      setTimeout(function () {
        refresh(form);
      }, 400),
    );
  }
  document.addEventListener("input", schedule);
  document.addEventListener("change", schedule);
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-preview]").forEach(refresh);
  });
})();
