// anp-loadkit report charts: draws inline SVG from the JSON embedded in #anp-data.
// Only createElementNS / setAttribute / textContent are used: data is never parsed as HTML.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var W = 640, H = 260, L = 64, R = 16, T = 28, B = 40;
  var COLORS = { baseline: "#1f6feb", candidate: "#d1242f" };

  function el(tag, attrs, parent) {
    var node = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function text(parent, x, y, content, attrs) {
    var node = el("text", Object.assign({ x: x, y: y, "font-size": 11 }, attrs || {}), parent);
    node.textContent = String(content);
    return node;
  }
  function fmt(v) {
    var a = Math.abs(v);
    if (a >= 1000) { return v.toFixed(0); }
    if (a >= 10) { return v.toFixed(1); }
    return v.toPrecision(3);
  }
  function frame(container, title, unit, xmin, xmax, ymin, ymax, xlabels) {
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img" });
    container.appendChild(svg);
    text(svg, L, 16, title + (unit ? " (" + unit + ")" : ""), { "font-size": 13, "font-weight": "bold" });
    if (ymax === ymin) { ymax = ymin + 1; }
    if (xmax === xmin) { xmax = xmin + 1; }
    var sx = function (x) { return L + (x - xmin) / (xmax - xmin) * (W - L - R); };
    var sy = function (y) { return H - B - (y - ymin) / (ymax - ymin) * (H - T - B); };
    el("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#888" }, svg);
    el("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#888" }, svg);
    for (var i = 0; i <= 4; i++) {
      var yv = ymin + (ymax - ymin) * i / 4;
      el("line", { x1: L, y1: sy(yv), x2: W - R, y2: sy(yv), stroke: "#eee" }, svg);
      text(svg, L - 6, sy(yv) + 4, fmt(yv), { "text-anchor": "end" });
    }
    if (xlabels) {
      xlabels.forEach(function (label, idx) {
        text(svg, sx(idx), H - B + 16, label, { "text-anchor": "middle" });
      });
    } else {
      for (var j = 0; j <= 5; j++) {
        var xv = xmin + (xmax - xmin) * j / 5;
        text(svg, sx(xv), H - B + 16, fmt(xv), { "text-anchor": "middle" });
      }
    }
    return { svg: svg, sx: sx, sy: sy };
  }
  function bounds(values, fromZero) {
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    if (fromZero) { lo = Math.min(0, lo); }
    var pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
    return [fromZero ? lo : lo - pad, hi + pad];
  }
  function pathOf(points, f) {
    return points.map(function (p, i) { return (i ? "L" : "M") + f.sx(p[0]).toFixed(1) + "," + f.sy(p[1]).toFixed(1); }).join(" ");
  }

  function timeChart(container, chart) {
    var xs = [], ys = [];
    chart.lines.forEach(function (line) { line.points.forEach(function (p) { xs.push(p[0]); ys.push(p[1]); }); });
    if (!xs.length) { return 0; }
    var yb = bounds(ys, true);
    var f = frame(container, chart.title, chart.unit, Math.min.apply(null, xs), Math.max.apply(null, xs), yb[0], yb[1], null);
    if (chart.warmup > 0) {
      el("rect", { x: f.sx(Math.min.apply(null, xs)), y: T, width: Math.max(0, f.sx(chart.warmup) - f.sx(Math.min.apply(null, xs))), height: H - T - B, fill: "#f3f3f3", "class": "warmup" }, f.svg);
    }
    chart.lines.forEach(function (line) {
      el("path", { d: pathOf(line.points, f), fill: "none", stroke: COLORS[line.side] || "#555", "stroke-width": 1.2, "stroke-opacity": 0.75, "class": "series " + line.side }, f.svg)
        .appendChild(document.createElementNS(NS, "title")).textContent = line.side + " " + line.run;
    });
    text(f.svg, W - R, 16, "blue: baseline, red: candidate; grey: warm-up; x: seconds", { "text-anchor": "end" });
    return 1;
  }

  function runsChart(container, metric) {
    var all = metric.baseline.concat(metric.candidate);
    var yb = bounds(all, false);
    var f = frame(container, metric.title, metric.unit, -0.5, 1.5, yb[0], yb[1], ["baseline", "candidate"]);
    [["baseline", 0], ["candidate", 1]].forEach(function (side) {
      var vals = metric[side[0]];
      vals.forEach(function (v, i) {
        var dx = (i - (vals.length - 1) / 2) * 8;
        el("circle", { cx: f.sx(side[1]) + dx, cy: f.sy(v), r: 4, fill: COLORS[side[0]], "class": "point " + side[0] }, f.svg)
          .appendChild(document.createElementNS(NS, "title")).textContent = side[0] + " run " + (i + 1) + ": " + fmt(v);
      });
      var sorted = vals.slice().sort(function (a, b) { return a - b; });
      var mid = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
      el("path", { d: "M" + (f.sx(side[1]) - 30) + "," + f.sy(mid) + " L" + (f.sx(side[1]) + 30) + "," + f.sy(mid), stroke: "#333", "stroke-width": 2, "class": "median" }, f.svg);
    });
    return 1;
  }

  function historyChart(container, metric, releases) {
    var all = metric.min.concat(metric.max);
    var yb = bounds(all, false);
    var f = frame(container, metric.title, metric.unit, 0, Math.max(1, releases.length - 1), yb[0], yb[1], releases);
    releases.forEach(function (_, i) {
      el("path", { d: "M" + f.sx(i) + "," + f.sy(metric.min[i]) + " L" + f.sx(i) + "," + f.sy(metric.max[i]), stroke: "#9ab", "stroke-width": 6, "stroke-linecap": "round", "class": "range" }, f.svg);
    });
    el("path", { d: pathOf(metric.median.map(function (v, i) { return [i, v]; }), f), fill: "none", stroke: "#1f6feb", "stroke-width": 2, "class": "series median" }, f.svg);
    metric.median.forEach(function (v, i) {
      el("circle", { cx: f.sx(i), cy: f.sy(v), r: 3.5, fill: "#1f6feb", "class": "point" }, f.svg);
    });
    metric.changes.forEach(function (c) {
      var x = f.sx(c.index - 0.5);
      el("path", { d: "M" + x + "," + T + " L" + x + "," + (H - B), stroke: c.flagged ? "#d1242f" : "#999", "stroke-dasharray": "4 3", "stroke-width": 1.5, "class": "change" + (c.flagged ? " flagged" : "") }, f.svg);
    });
    return 1;
  }

  var data = JSON.parse(document.getElementById("anp-data").textContent);
  var drawn = 0;
  var holder = document.getElementById("charts");
  function box(id) {
    var div = document.createElement("div");
    div.className = "chart";
    div.setAttribute("data-chart", id);
    holder.appendChild(div);
    return div;
  }
  if (data.kind === "compare") {
    data.time_charts.forEach(function (chart, i) { drawn += timeChart(box("time-" + i), chart); });
    data.metrics.forEach(function (metric, i) { drawn += runsChart(box("runs-" + i), metric); });
  } else if (data.kind === "history") {
    data.metrics.forEach(function (metric, i) { drawn += historyChart(box("history-" + i), metric, data.releases); });
  }
  document.body.setAttribute("data-charts-drawn", String(drawn));
})();
