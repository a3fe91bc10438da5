// anpai: the signature pad. No inline scripts (CSP-friendly).
//
// A <canvas class="insp-pad"> inside a <form data-signature-form> with a hidden
// <input name="signature">: drawn with a finger or a mouse (pointer events),
// put into the field as a PNG data URL when the form is sent (htmx or not).
// A button with data-pad-clear clears it. Used by the inspection's signature
// step and the principal's commitment.
(function () {
  "use strict";

  function initPad(canvas) {
    if (canvas.dataset.ready) { return; }
    canvas.dataset.ready = "1";
    var ctx = null;
    var drawing = false;
    var drawn = false;

    function fit() {
      var box = canvas.getBoundingClientRect();
      var ratio = window.devicePixelRatio || 1;
      canvas.width = Math.max(1, Math.round(box.width * ratio));
      canvas.height = Math.max(1, Math.round(box.height * ratio));
      ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.6;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      drawn = false;
    }
    function at(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }
    fit();
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      if (canvas.setPointerCapture) { canvas.setPointerCapture(event.pointerId); }
      var p = at(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = at(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      drawn = true;
      event.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    canvas.anpaiSignature = function () { return drawn ? canvas.toDataURL("image/png") : ""; };
    canvas.anpaiClear = fit;
  }

  if (window.htmx) {
    window.htmx.onLoad(function (el) {
      if (el.querySelectorAll) { el.querySelectorAll("canvas.insp-pad").forEach(initPad); }
    });
  }
  document.querySelectorAll("canvas.insp-pad").forEach(initPad);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-pad-clear]");
    if (!button) { return; }
    var canvas = button.form && button.form.querySelector("canvas.insp-pad");
    if (canvas && canvas.anpaiClear) { canvas.anpaiClear(); }
  });

  // Before the signature form is sent (htmx or not), put the drawing in it.
  function fillSignature(form) {
    var canvas = form.querySelector("canvas.insp-pad");
    var field = form.querySelector('input[name="signature"]');
    if (canvas && field && canvas.anpaiSignature) { field.value = canvas.anpaiSignature(); }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.matches && form.matches("[data-signature-form]")) { fillSignature(form); }
  }, true);
  document.body.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("[data-signature-form]")) {
      fillSignature(form);
      event.detail.parameters.signature = form.querySelector('input[name="signature"]').value;
    }
  });
}());
