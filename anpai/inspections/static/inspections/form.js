// anpai inspections: the phone form. No inline scripts (CSP-friendly).
//
// Each item's form is posted by htmx on every change and saved on the server
// as the inspector goes. Here: answers are mirrored in localStorage until the
// server confirms them, so a lost connection or a closed tab loses nothing;
// they are sent again when the connection returns (or the page is reopened).
// The signature pad is anpai/signature.js (also used by the commitment form).
(function () {
  "use strict";

  var root = document.querySelector("[data-inspection]");
  if (!root || !window.htmx) { return; }
  var KEY = "anpai-inspection-" + root.getAttribute("data-inspection");
  var banner = document.getElementById("insp-offline");
  var retryTimer = null;

  // ------------------------------------------------------------ drafts

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(drafts) {
    try {
      if (Object.keys(drafts).length) { window.localStorage.setItem(KEY, JSON.stringify(drafts)); }
      else { window.localStorage.removeItem(KEY); }
    } catch (e) { /* private mode or full: the server copy still counts */ }
  }
  function answerForm(el) {
    return el && el.closest ? el.closest("form[data-answer-form]") : null;
  }
  function valuesOf(form) {
    var checked = form.querySelector('input[name="result"]:checked');
    var note = form.querySelector('[name="note"]');
    return { result: checked ? checked.value : "", note: note ? note.value : "", at: Date.now() };
  }
  function itemBox(id) { return document.getElementById("item-" + id); }

  function showPending() {
    var drafts = load();
    var ids = Object.keys(drafts);
    document.querySelectorAll(".insp-item.is-unsaved").forEach(function (el) {
      if (!drafts[el.getAttribute("data-item")]) { el.classList.remove("is-unsaved"); }
    });
    ids.forEach(function (id) { var box = itemBox(id); if (box) { box.classList.add("is-unsaved"); } });
    if (banner) {
      banner.hidden = ids.length === 0;
      var count = banner.querySelector("[data-pending-count]");
      if (count) { count.textContent = ids.length ? "(" + ids.length + ")" : ""; }
    }
    if (ids.length && !retryTimer) { retryTimer = window.setInterval(resend, 15000); }
    if (!ids.length && retryTimer) { window.clearInterval(retryTimer); retryTimer = null; }
  }

  // Put a kept answer back into its form (after a reload) and send it again.
  function resend() {
    if (navigator.onLine === false) { return; }
    var drafts = load();
    Object.keys(drafts).forEach(function (id) {
      var box = itemBox(id);
      var form = box && box.querySelector("form[data-answer-form]");
      if (!form) { delete drafts[id]; return; }
      var draft = drafts[id];
      if (draft.result) {
        var radio = form.querySelector('input[name="result"][value="' + draft.result + '"]');
        if (radio) { radio.checked = true; }
      }
      var note = form.querySelector('[name="note"]');
      if (note && typeof draft.note === "string") { note.value = draft.note; }
      var server = { result: box.getAttribute("data-result") || "", note: note ? note.defaultValue : "" };
      if (server.result === (draft.result || server.result) && server.note === draft.note) {
        delete drafts[id];  // the server has it already
        return;
      }
      window.htmx.trigger(form, "change");
    });
    save(drafts);
    showPending();
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = answerForm(event.detail.elt);
    if (!form) { return; }
    var drafts = load();
    drafts[form.getAttribute("data-item")] = valuesOf(form);
    save(drafts);
  });

  // The item a request was for. Not ``detail.elt``: once the item is swapped, htmx
  // fires afterRequest on an ancestor and names that as ``elt``.
  function requestItem(detail) {
    var form = answerForm(detail.requestConfig && detail.requestConfig.elt);
    if (form) { return form.getAttribute("data-item"); }
    var path = (detail.pathInfo && detail.pathInfo.requestPath) || "";
    var match = /\/answer\/(\d+)\/$/.exec(path);
    return match ? match[1] : null;
  }

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var item = requestItem(event.detail);
    if (!item) { return; }
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status > 0 && status < 500) {
      // The server answered: saved, or refused with a reason shown on the item.
      var drafts = load();
      delete drafts[item];
      save(drafts);
    }
    showPending();
  });

  // A refused answer (400) still shows: the item comes back with its errors.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    // Keep a note being typed while its item's answer was saving.
    var active = document.activeElement;
    var target = event.detail.target;
    if (active && target && active.name === "note" && target.contains(active)) {
      keepTyping = { id: active.id, value: active.value, pos: active.selectionStart };
    }
  });
  var keepTyping = null;
  document.body.addEventListener("htmx:afterSwap", function () {
    if (!keepTyping) { return; }
    var el = document.getElementById(keepTyping.id);
    if (el) {
      el.value = keepTyping.value;
      el.focus();
      try { el.setSelectionRange(keepTyping.pos, keepTyping.pos); } catch (e) { /* not a text field */ }
    }
    keepTyping = null;
  });

  window.addEventListener("online", resend);
  window.addEventListener("offline", showPending);
  showPending();
  // Answers kept from a closed tab: sent once htmx has set up the forms (it does so on
  // DOMContentLoaded, in a listener added before this deferred script ran).
  document.addEventListener("DOMContentLoaded", function () {
    window.setTimeout(function () { if (Object.keys(load()).length) { resend(); } }, 0);
  });
}());
