// Leaders' lists: a refused progress update (400) still swaps in, so its errors show;
// the print page's button; the list form's "add a row" and its category column.
(function () {
  "use strict";
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 400 && event.detail.target && event.detail.target.closest("[data-rl-item]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-rl-print]");
    if (el) { event.preventDefault(); window.print(); return; }
    var add = event.target.closest && event.target.closest("[data-rl-add-row]");
    if (add) {
      event.preventDefault();
      var body = document.querySelector("[data-rl-rows]");
      var template = document.querySelector("[data-rl-row-template]");
      if (!body || !template) { return; }
      var row = template.content.firstElementChild.cloneNode(true);
      body.appendChild(row);
      var input = row.querySelector("textarea, input");
      if (input) { input.focus(); }
    }
  });
  function toggleCategory() {
    var kind = document.querySelector("[data-rl-kind]");
    if (!kind) { return; }
    var matters = kind.value === "matters";
    document.querySelectorAll("[data-rl-category]").forEach(function (el) {
      el.classList.toggle("d-none", !matters);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-rl-kind]")) { toggleCategory(); }
    // The status select sets % done to 100 for "done" and 0 for "not started".
    if (event.target.matches && event.target.matches("[data-rl-status]")) {
      var form = event.target.form;
      var pct = form && form.querySelector("[name=progress]");
      if (!pct) { return; }
      if (event.target.value === "done") { pct.value = 100; }
      if (event.target.value === "not_started") { pct.value = 0; }
    }
  });
  document.addEventListener("DOMContentLoaded", toggleCategory);
})();
