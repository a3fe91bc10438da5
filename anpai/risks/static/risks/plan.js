// anpai risks: drawing risk areas on the site plan. No inline scripts (CSP-friendly).
//
// Choose a risk point, tap (or click) the plan to add corners, then Finish: the
// polygon is posted as {"area": [[x, y], ...]} in plan units, whatever size the
// map is shown at (the SVG's own transform converts screen to plan units).
// Pointer events serve mouse, pen and touch alike.
(function () {
  "use strict";

  var SVGNS = "http://www.w3.org/2000/svg";
  var box = document.getElementById("rm-map");
  var svg = box && box.querySelector("svg");
  var configEl = document.getElementById("rm-config");
  if (!box || !svg || !configEl || !box.hasAttribute("data-csrf")) { return; }
  var config = JSON.parse(configEl.textContent);
  var msg = config.messages;
  var plan = {
    x: parseFloat(svg.getAttribute("data-plan-x")),
    y: parseFloat(svg.getAttribute("data-plan-y")),
    w: parseFloat(svg.getAttribute("data-plan-w")),
    h: parseFloat(svg.getAttribute("data-plan-h"))
  };
  var statusEl = document.getElementById("rm-status");
  var errorEl = document.getElementById("rm-error");
  var buttons = {};
  document.querySelectorAll("[data-rm]").forEach(function (b) {
    var name = b.getAttribute("data-rm");
    if (name !== "draw") { buttons[name] = b; }
  });

  var current = null; // the chosen <li class="rm-point">
  var corners = []; // [[x, y], ...] in plan units
  var down = null; // where the pointer went down (a tap, not a drag)
  var busy = false;

  var layer = document.createElementNS(SVGNS, "g");
  layer.setAttribute("class", "rm-draft");
  svg.appendChild(layer);

  function format(text, values) {
    return text.replace(/%\((\w+)\)[sd]/g, function (_m, key) { return values[key]; });
  }
  function say(text) { if (statusEl) { statusEl.textContent = text; } }
  function showError(text) {
    if (!errorEl) { return; }
    errorEl.textContent = text || "";
    errorEl.hidden = !text;
  }
  function round1(v) { return Math.round(v * 10) / 10; }

  // Screen → plan units, through the SVG's current transform (any display size).
  function toPlan(event) {
    var pt = svg.createSVGPoint();
    pt.x = event.clientX;
    pt.y = event.clientY;
    var m = svg.getScreenCTM();
    if (!m) { return null; }
    var p = pt.matrixTransform(m.inverse());
    var x = p.x - plan.x;
    var y = p.y - plan.y;
    var slack = 15; // a tap just outside the edge lands on it
    if (x < -slack || y < -slack || x > plan.w + slack || y > plan.h + slack) { return null; }
    return [round1(Math.min(Math.max(x, 0), plan.w)), round1(Math.min(Math.max(y, 0), plan.h))];
  }

  function pointsAttr(list) {
    return list.map(function (c) { return (c[0] + plan.x) + "," + (c[1] + plan.y); }).join(" ");
  }

  function redraw(hover) {
    while (layer.firstChild) { layer.removeChild(layer.firstChild); }
    if (!current) { return; }
    if (corners.length > 1) {
      var shape = document.createElementNS(SVGNS, corners.length > 2 ? "polygon" : "polyline");
      shape.setAttribute("points", pointsAttr(corners));
      shape.setAttribute("class", "rm-draft-shape");
      layer.appendChild(shape);
    }
    if (hover && corners.length) {
      var last = corners[corners.length - 1];
      var rubber = document.createElementNS(SVGNS, "line");
      rubber.setAttribute("x1", last[0] + plan.x);
      rubber.setAttribute("y1", last[1] + plan.y);
      rubber.setAttribute("x2", hover[0] + plan.x);
      rubber.setAttribute("y2", hover[1] + plan.y);
      rubber.setAttribute("class", "rm-draft-rubber");
      layer.appendChild(rubber);
    }
    corners.forEach(function (c) {
      var dot = document.createElementNS(SVGNS, "circle");
      dot.setAttribute("cx", c[0] + plan.x);
      dot.setAttribute("cy", c[1] + plan.y);
      dot.setAttribute("r", 6);
      dot.setAttribute("class", "rm-draft-corner");
      layer.appendChild(dot);
    });
  }

  function refreshButtons() {
    var drawing = !!current;
    buttons.finish.disabled = !drawing || busy || corners.length < 3;
    buttons.undo.disabled = !drawing || busy || corners.length === 0;
    buttons.cancel.disabled = !drawing || busy;
    buttons.clear.disabled = !drawing || busy || current.getAttribute("data-drawn") !== "1";
    box.classList.toggle("rm-drawing", drawing);
    if (drawing) {
      say(format(msg.drawing, { name: current.getAttribute("data-name") }) + " " +
        format(msg.corners, { n: corners.length }));
    }
  }

  function areaOf(id) { return svg.querySelector('polygon.rm-area[data-point="' + id + '"]'); }

  function choose(item) {
    if (busy) { return; }
    document.querySelectorAll(".rm-point.rm-selected").forEach(function (el) {
      el.classList.remove("rm-selected");
      var b = el.querySelector('[data-rm="draw"]');
      if (b) { b.setAttribute("aria-pressed", "false"); }
    });
    svg.querySelectorAll(".rm-area.rm-active").forEach(function (el) { el.classList.remove("rm-active"); });
    current = item;
    corners = [];
    showError("");
    if (item) {
      item.classList.add("rm-selected");
      var b = item.querySelector('[data-rm="draw"]');
      if (b) { b.setAttribute("aria-pressed", "true"); }
      var area = areaOf(item.getAttribute("data-point"));
      if (area) { area.classList.add("rm-active"); }
      box.scrollIntoView({ block: "nearest" });
    } else {
      say(msg.pick);
    }
    redraw();
    refreshButtons();
  }

  // After a save: the area in its level's colour (or gone), its label, the list row.
  function place(item, data) {
    var id = String(data.id);
    var area = areaOf(id);
    svg.querySelectorAll('.rm-label[data-point="' + id + '"]').forEach(function (el) { el.remove(); });
    if (!data.area || data.area.length < 3) {
      if (area) { area.remove(); }
    } else {
      if (!area) {
        area = document.createElementNS(SVGNS, "polygon");
        area.setAttribute("class", "rm-area");
        area.setAttribute("data-point", id);
        layer.parentNode.insertBefore(area, firstLabel() || layer);
      }
      area.setAttribute("points", pointsAttr(data.area));
      area.setAttribute("fill", data.fill);
      area.setAttribute("fill-opacity", config.opacity);
      area.setAttribute("stroke", data.fill);
      area.setAttribute("stroke-width", "2.5");
      area.setAttribute("data-level", data.level || "none");
      var c = centroid(data.area);
      label(id, c[0] + plan.x, c[1] + plan.y - 7, data.name, 16);
      label(id, c[0] + plan.x, c[1] + plan.y + 18, (data.code ? data.code + " · " : "") + data.level_name, 12.8);
    }
    var drawn = data.area && data.area.length >= 3;
    item.setAttribute("data-drawn", drawn ? "1" : "0");
    var note = item.querySelector("[data-rm-drawn]");
    if (note) { note.textContent = drawn ? msg.drawn : msg.not_drawn; }
  }
  function firstLabel() { return svg.querySelector("text.rm-label"); }
  function label(id, x, y, text, size) {
    var t = document.createElementNS(SVGNS, "text");
    t.setAttribute("x", x);
    t.setAttribute("y", y);
    t.setAttribute("font-size", size);
    t.setAttribute("text-anchor", "middle");
    t.setAttribute("fill", "#1a1a1a");
    t.setAttribute("stroke", "#ffffff");
    t.setAttribute("stroke-width", "3");
    t.setAttribute("paint-order", "stroke");
    t.setAttribute("stroke-linejoin", "round");
    t.setAttribute("class", "rm-label");
    t.setAttribute("data-point", id);
    t.textContent = text;
    layer.parentNode.insertBefore(t, layer);
  }
  function centroid(list) {
    var a = 0, cx = 0, cy = 0, n = list.length;
    for (var i = 0; i < n; i++) {
      var p = list[i], q = list[(i + 1) % n];
      var cross = p[0] * q[1] - q[0] * p[1];
      a += cross; cx += (p[0] + q[0]) * cross; cy += (p[1] + q[1]) * cross;
    }
    if (Math.abs(a) < 1e-9) {
      return [list.reduce(function (s, p) { return s + p[0]; }, 0) / n,
              list.reduce(function (s, p) { return s + p[1]; }, 0) / n];
    }
    return [cx / (3 * a), cy / (3 * a)];
  }

  function errorsText(body) {
    var errors = (body && body.errors) || {};
    var lines = [];
    Object.keys(errors).forEach(function (k) {
      var v = errors[k];
      lines = lines.concat(Array.isArray(v) ? v : [v]);
    });
    return lines.join(" ");
  }

  function send(area, done) {
    var item = current;
    busy = true;
    refreshButtons();
    say(msg.saving);
    showError("");
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    headers[box.getAttribute("data-csrf-header")] = box.getAttribute("data-csrf");
    fetch(item.getAttribute("data-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify({ area: area })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    }).then(function (result) {
      busy = false;
      if (!result.ok) {
        var text = errorsText(result.body) || String(result.status);
        showError(format(msg.failed, { error: text }));
        refreshButtons();
        return;
      }
      place(item, result.body);
      choose(null);
      say(format(done, { name: result.body.name }));
      box.setAttribute("data-saved", String(result.body.id));
    }).catch(function () {
      busy = false;
      showError(msg.offline);
      refreshButtons();
    });
  }

  // ------------------------------------------------------------ events

  document.querySelectorAll('[data-rm="draw"]').forEach(function (b) {
    b.addEventListener("click", function () {
      var item = b.closest(".rm-point");
      choose(current === item ? null : item);
    });
  });
  buttons.undo.addEventListener("click", function () {
    corners.pop();
    redraw();
    refreshButtons();
  });
  buttons.cancel.addEventListener("click", function () { choose(null); });
  buttons.finish.addEventListener("click", function () {
    if (corners.length < 3) { showError(msg.few); return; }
    send(corners.slice(), msg.saved);
  });
  buttons.clear.addEventListener("click", function () {
    if (!current) { return; }
    if (!window.confirm(format(msg.clear_confirm, { name: current.getAttribute("data-name") }))) { return; }
    send([], msg.cleared);
  });

  svg.addEventListener("pointerdown", function (event) {
    if (!current || busy || !event.isPrimary || event.button > 0) { return; }
    down = { id: event.pointerId, x: event.clientX, y: event.clientY };
  });
  svg.addEventListener("pointerup", function (event) {
    if (!current || busy || !down || event.pointerId !== down.id) { return; }
    var moved = Math.abs(event.clientX - down.x) + Math.abs(event.clientY - down.y);
    down = null;
    if (moved > 12) { return; } // a drag, not a tap
    var p = toPlan(event);
    if (!p) { return; }
    event.preventDefault();
    corners.push(p);
    showError("");
    redraw();
    refreshButtons();
  });
  svg.addEventListener("pointercancel", function () { down = null; });
  svg.addEventListener("pointermove", function (event) {
    if (!current || event.pointerType !== "mouse" || !corners.length) { return; }
    var p = toPlan(event);
    if (p) { redraw(p); }
  });
  svg.addEventListener("pointerleave", function () { if (current) { redraw(); } });
  document.addEventListener("keydown", function (event) {
    if (!current || busy || /input|textarea|select/i.test(event.target.tagName)) { return; }
    if (event.key === "Escape") { choose(null); }
    else if (event.key === "Enter" && corners.length >= 3) { event.preventDefault(); buttons.finish.click(); }
    else if (event.key === "Backspace" && corners.length) { event.preventDefault(); buttons.undo.click(); }
  });

  refreshButtons();
})();
