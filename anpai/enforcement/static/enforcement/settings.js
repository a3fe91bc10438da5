// Document settings: the sample numbers follow the prefix and abbreviations as they are typed.
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("[data-testid=settings-form]");
    if (!form) return;
    var format = form.dataset.format || "{prefix}{abbr}〔{year}〕{serial}号";
    var year = form.dataset.year;
    var prefix = form.querySelector("[name=prefix]");
    function render() {
      form.querySelectorAll("[data-abbr-for]").forEach(function (input) {
        var kind = input.dataset.abbrFor;
        var text = format
          .replace("{prefix}", prefix ? prefix.value.trim() : "")
          .replace("{abbr}", input.value.trim())
          .replace("{year}", year)
          .replace("{serial}", "1");
        document.querySelectorAll('[data-sample-for="' + kind + '"]').forEach(function (el) {
          el.textContent = text;
        });
      });
    }
    form.addEventListener("input", render);
    render();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
