// The permit form: add and remove worker rows (a Django formset) without inline script.
// <template id="worker-template"> holds an empty row with __prefix__ in its names.
(function () {
  function totalInput() { return document.getElementById("id_workers-TOTAL_FORMS"); }

  document.addEventListener("click", function (event) {
    var add = event.target.closest && event.target.closest("[data-add-worker]");
    if (add) {
      event.preventDefault();
      var template = document.getElementById("worker-template");
      var total = totalInput();
      var rows = document.getElementById("worker-rows");
      if (!template || !total || !rows) { return; }
      var index = parseInt(total.value, 10) || 0;
      var max = document.getElementById("id_workers-MAX_NUM_FORMS");
      if (max && index >= parseInt(max.value, 10)) { return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = rows.lastElementChild && rows.lastElementChild.querySelector("input[type=text]");
      if (first) { first.focus(); }
      return;
    }
    var remove = event.target.closest && event.target.closest("[data-remove-worker]");
    if (remove) {
      event.preventDefault();
      var row = remove.closest("[data-worker-row]");
      if (!row) { return; }
      var flag = row.querySelector("input[name$='-DELETE']");
      if (flag) { flag.checked = true; }
      row.classList.add("pm-removed");
    }
  });
})();
