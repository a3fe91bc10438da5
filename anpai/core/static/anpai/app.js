// anpai: small behaviours without inline scripts (a CSP with no 'unsafe-inline' holds).
document.addEventListener("change", function (event) {
  // <select data-autosubmit> submits its form when changed.
  var el = event.target;
  if (el && el.matches && el.matches("[data-autosubmit]") && el.form) {
    if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
  }
});
document.addEventListener("click", function (event) {
  // <button data-confirm="…"> asks before submitting.
  var el = event.target.closest && event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
});
