// graphkit's graph page: a small force layout (Barnes-Hut) on a canvas, no libraries, no network.
// Data: {nodes: [{id, l: label, c: caption, p: properties}], edges: [{s, t: node indexes, y: type, p}], colours}.
// When the first layout is drawn, <body> gets data-layout="done" and data-rendered-nodes /
// data-rendered-edges (the counts drawn), which tests read. A time window (the "Seen between"
// sliders) hides what was not seen in it; an edge's width grows with its count. Nodes are
// coloured by label or, where `graphkit analyze communities` has run, by community.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodes = data.nodes, edges = data.edges, colours = data.colours || {};
  var N = nodes.length, M = edges.length;
  var canvas = document.getElementById("graph"), ctx = canvas.getContext("2d");
  var tooltip = document.getElementById("tooltip");
  var infoTable = document.querySelector("#info table"), infoHint = document.querySelector("#info .hint");
  var DECAY = N > 5000 ? 0.96 : 0.985;  // big graphs settle in fewer ticks
  // The layout is drawn as it goes, less often for big graphs: rasterising a picture of tens of
  // thousands of elements takes longer than the layout ticks between two pictures.
  var PROGRESS_MS = Math.min(2000, 200 + (N + M) / 20);
  var RADIUS = 7, LINK = 85, REPULSION = 6000;
  var view = { x: 0, y: 0, k: 1 }, dpr = window.devicePixelRatio || 1, width = 0, height = 0;
  var hovered = null, selected = null, alpha = 1, running = false, firstDone = false;

  // -- set-up: positions on a spiral (deterministic), degrees, parallel-edge offsets
  var i, e;
  for (i = 0; i < N; i++) {
    var r = 14 * Math.sqrt(i + 0.5), a = i * 2.399963;
    nodes[i].x = r * Math.cos(a); nodes[i].y = r * Math.sin(a);
    nodes[i].vx = 0; nodes[i].vy = 0; nodes[i].deg = 0; nodes[i].fixed = false; nodes[i].index = i;
  }
  var links = [], pairs = {};
  for (i = 0; i < M; i++) {
    e = edges[i];
    nodes[e.s].deg++; nodes[e.t].deg++;
    var pair = e.s < e.t ? e.s + "," + e.t : e.t + "," + e.s;
    if (!(pair in pairs)) { pairs[pair] = 0; if (e.s !== e.t) links.push(e); }
    e.rank = pairs[pair]++;
  }
  for (i = 0; i < M; i++) {  // parallel edges fan out: offsets -k..k around the straight line
    e = edges[i];
    var total = pairs[e.s < e.t ? e.s + "," + e.t : e.t + "," + e.s];
    e.bend = Math.max(-60, Math.min(60, (e.rank - (total - 1) / 2) * 14)) * (e.s < e.t ? 1 : -1);
    e.w = weight(e);
  }
  // an edge's width grows with the log of its count (merged lookups: their sum), from 1 to 6
  function weight(e) {
    var count = e.p && typeof e.p.count === "number" ? e.p.count : 1;
    return count > 1 ? Math.round(2 * (1 + Math.min(5, Math.log10(count)))) / 2 : 1;
  }
  function radius(n) { return RADIUS + Math.min(8, Math.sqrt(n.deg)); }

  // -- legend and counts. Nodes are coloured by label, or by the community `graphkit analyze
  // communities` wrote on them (then what has none is grey), switched in the legend.
  var counts = {}, groups = {}, PALETTE = ["#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948",
    "#B07AA1", "#FF9DA7", "#9C755F", "#2F4B7C", "#A05195", "#665191"];
  // a community is numbered within the run that found it (community_source): clients and domains
  // analysed apart each have a community 0
  var runs = {};
  nodes.forEach(function (n) {
    counts[n.l] = (counts[n.l] || 0) + 1;
    n.group = n.p && typeof n.p.community === "number" ? (n.p.community_source || "") + "|" + n.p.community : null;
    if (n.group !== null) { groups[n.group] = (groups[n.group] || 0) + 1; runs[n.p.community_source || ""] = true; }
  });
  var order = Object.keys(groups).sort(function (a, b) { return groups[b] - groups[a] || (a < b ? -1 : 1); });
  var rank = {};
  order.forEach(function (g, i) { rank[g] = i; });
  function groupName(g) {
    var cut = g.lastIndexOf("|"), run = g.slice(0, cut).split(":")[1];
    return "community " + g.slice(cut + 1) + (Object.keys(runs).length > 1 && run ? " of " + run : "");
  }
  var byCommunity = order.length > 0;
  document.getElementById("counts").textContent = N + " nodes, " + M + " relationships";
  var legend = document.querySelector("#legend ul"), choice = document.getElementById("colour-by");
  function labelColour(label) { return colours[label] || "#A5ABB6"; }
  function communityColour(g) {  // largest first: the palette, then hues a golden angle apart
    if (g === null) return "#D5D9DE";
    var i = rank[g];
    return i < PALETTE.length ? PALETTE[i] : "hsl(" + Math.round((i * 137.508) % 360) + ",55%,55%)";
  }
  function fill(n) { return byCommunity ? communityColour(n.group) : labelColour(n.l); }
  function entry(colour, text) {
    var li = document.createElement("li"), sw = document.createElement("span");
    sw.className = "swatch"; sw.style.background = colour;
    li.appendChild(sw); li.appendChild(document.createTextNode(text));
    legend.appendChild(li);
  }
  function fillLegend() {
    legend.textContent = "";
    document.querySelector("#legend h2").textContent = byCommunity ? "Communities" : "Labels";
    if (!byCommunity) {
      Object.keys(counts).sort().forEach(function (label) { entry(labelColour(label), label + " (" + counts[label] + ")"); });
      return;
    }
    order.slice(0, 15).forEach(function (g) { entry(communityColour(g), groupName(g) + " (" + groups[g] + ")"); });
    if (order.length > 15) legend.appendChild(document.createTextNode("and " + (order.length - 15) + " more"));
    var none = N - order.reduce(function (sum, g) { return sum + groups[g]; }, 0);
    if (none) entry(communityColour(null), "no community (" + none + ")");
  }
  if (byCommunity) {
    choice.hidden = false;
    choice.querySelector("select").onchange = function (event) { colourBy(event.target.value); };
  }
  function colourBy(mode) {
    byCommunity = mode === "community" && order.length > 0;
    choice.querySelector("select").value = byCommunity ? "community" : "label";
    fillLegend();
    if (width) draw();
  }
  fillLegend();

  // -- the time window: what was not seen in it is hidden (a day's steps over the data's span)
  var DAY = 86400000, hiddenCount = 0;
  function span(item) {
    var f = item.p && item.p.first_seen ? Date.parse(item.p.first_seen) : NaN;
    var l = item.p && item.p.last_seen ? Date.parse(item.p.last_seen) : NaN;
    if (isNaN(f) && isNaN(l)) return null;
    return { f: isNaN(f) ? l : f, l: isNaN(l) ? f : l };
  }
  var spanStart = Infinity, spanEnd = -Infinity;
  nodes.concat(edges).forEach(function (item) {
    item.span = span(item);
    if (item.span) { spanStart = Math.min(spanStart, item.span.f); spanEnd = Math.max(spanEnd, item.span.l); }
    item.hidden = false;
  });
  var windowFrom = -Infinity, windowTo = Infinity;
  function within(item) { return !item.span || (item.span.f <= windowTo && item.span.l >= windowFrom); }
  function applyWindow() {
    var touched = new Array(N).fill(false), timeless = new Array(N).fill(false), j, e;
    for (j = 0; j < M; j++) {
      e = edges[j]; e.hidden = !within(e);
      if (!e.hidden) { touched[e.s] = touched[e.t] = true; }
      if (!e.span) { timeless[e.s] = timeless[e.t] = true; }
    }
    hiddenCount = 0;
    for (j = 0; j < N; j++) {
      var n = nodes[j];
      // a node goes with its relationships: hidden when every one of them is
      n.hidden = !within(n) || (n.deg > 0 && !touched[j] && !timeless[j]);
      if (n.hidden) hiddenCount++;
    }
    var shownEdges = edges.filter(function (x) { return !x.hidden && !nodes[x.s].hidden && !nodes[x.t].hidden; }).length;
    document.getElementById("counts").textContent = hiddenCount || shownEdges < M
      ? (N - hiddenCount) + " of " + N + " nodes, " + shownEdges + " of " + M + " relationships shown"
      : N + " nodes, " + M + " relationships";
  }
  function dayText(ms) { return new Date(ms).toISOString().slice(0, 10); }
  var timeFrom = document.getElementById("time-from"), timeTo = document.getElementById("time-to");
  if (spanStart <= spanEnd) {
    spanStart = Math.floor(spanStart / DAY) * DAY;  // whole UTC days
    var days = Math.floor((spanEnd - spanStart) / DAY);
    [timeFrom, timeTo].forEach(function (input) { input.max = String(days); });
    timeTo.value = String(days);
    document.getElementById("time").hidden = false;
    document.getElementById("time-from-text").textContent = dayText(spanStart);
    document.getElementById("time-to-text").textContent = dayText(spanEnd);
    var onSlide = function () {
      var a = Number(timeFrom.value), b = Number(timeTo.value);
      if (a > b) { if (this === timeFrom) timeTo.value = String(a); else timeFrom.value = String(b); }
      setWindow(spanStart + Number(timeFrom.value) * DAY, spanStart + (Number(timeTo.value) + 1) * DAY - 1);
    };
    timeFrom.addEventListener("input", onSlide); timeTo.addEventListener("input", onSlide);
  }
  function setWindow(from, to) {
    windowFrom = from; windowTo = to;
    if (spanStart <= spanEnd) {
      document.getElementById("time-from-text").textContent = dayText(Math.max(from, spanStart));
      document.getElementById("time-to-text").textContent = dayText(Math.min(to, spanEnd));
    }
    applyWindow();
    if (typeof draw === "function" && width) draw();
  }

  // -- the force layout: repulsion by Barnes-Hut (a quadtree; far groups of nodes act as one,
  // so a tick costs N log N), springs along relationships, a little gravity to the centre
  var THETA2 = 0.81;
  function quadtree() {
    var minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity, j, n;
    for (j = 0; j < N; j++) { n = nodes[j]; minx = Math.min(minx, n.x); maxx = Math.max(maxx, n.x); miny = Math.min(miny, n.y); maxy = Math.max(maxy, n.y); }
    var root = { x: minx, y: miny, size: Math.max(maxx - minx, maxy - miny, 1) + 1, mass: 0, cx: 0, cy: 0, body: null, kids: null };
    for (j = 0; j < N; j++) insert(root, nodes[j], 0);
    return root;
  }
  function insert(cell, n, depth) {
    cell.cx = (cell.cx * cell.mass + n.x) / (cell.mass + 1); cell.cy = (cell.cy * cell.mass + n.y) / (cell.mass + 1); cell.mass++;
    if (!cell.kids && !cell.body) { cell.body = n; return; }
    if (depth > 40) return;  // coincident nodes: counted in the mass, no deeper
    if (!cell.kids) {
      cell.kids = [null, null, null, null];
      var old = cell.body; cell.body = null;
      place(cell, old, depth);
    }
    place(cell, n, depth);
  }
  function place(cell, n, depth) {
    var half = cell.size / 2, q = (n.x >= cell.x + half ? 1 : 0) + (n.y >= cell.y + half ? 2 : 0);
    if (!cell.kids[q]) cell.kids[q] = { x: cell.x + (q & 1) * half, y: cell.y + (q >> 1) * half, size: half, mass: 0, cx: 0, cy: 0, body: null, kids: null };
    insert(cell.kids[q], n, depth + 1);
  }
  function repel(n, root) {
    var stack = [root], cell, dx, dy, d2, f;
    while (stack.length) {
      cell = stack.pop();
      if (cell.body === n) continue;
      dx = n.x - cell.cx; dy = n.y - cell.cy; d2 = dx * dx + dy * dy;
      if (cell.body || (cell.size * cell.size < THETA2 * d2)) {
        if (d2 < 0.01) { dx = (n.index % 7) - 3 + 0.5; dy = ((n.index >> 3) % 5) - 2 + 0.5; d2 = dx * dx + dy * dy; }
        f = REPULSION * alpha * cell.mass / (d2 * Math.sqrt(d2));
        n.vx += dx * f; n.vy += dy * f;
      } else {
        for (var q = 0; q < 4; q++) if (cell.kids[q]) stack.push(cell.kids[q]);
      }
    }
  }
  function tick() {
    var n, m, dx, dy, f, root = quadtree();
    for (i = 0; i < N; i++) repel(nodes[i], root);
    for (i = 0; i < links.length; i++) {
      n = nodes[links[i].s]; m = nodes[links[i].t];
      dx = m.x - n.x; dy = m.y - n.y;
      var d = Math.sqrt(dx * dx + dy * dy) || 1;
      f = (d - LINK) / d * alpha * 0.5;
      var bias = n.deg / (n.deg + m.deg);
      m.vx -= dx * f * bias; m.vy -= dy * f * bias;
      n.vx += dx * f * (1 - bias); n.vy += dy * f * (1 - bias);
    }
    for (i = 0; i < N; i++) {
      n = nodes[i];
      n.vx -= n.x * 0.004 * alpha; n.vy -= n.y * 0.004 * alpha;
      if (n.fixed) { n.vx = 0; n.vy = 0; continue; }
      n.vx *= 0.6; n.vy *= 0.6;
      n.x += Math.max(-40, Math.min(40, n.vx)); n.y += Math.max(-40, Math.min(40, n.vy));
    }
    alpha *= DECAY;
  }

  // Layout in slices of ~25 ms so the page stays responsive; setTimeout (not animation
  // frames) so headless browsers with a virtual time budget run it too.
  function run() {
    if (running) return;
    running = true;
    var lastDraw = 0;
    (function slice() {
      var until = Date.now() + 25;
      while (alpha > 0.02 && Date.now() < until) tick();
      if (!firstDone && alpha <= 0.02) { fit(); }
      if (alpha <= 0.02 || Date.now() - lastDraw > PROGRESS_MS) { draw(); lastDraw = Date.now(); }
      if (alpha > 0.02) { setTimeout(slice, 0); return; }
      running = false;
      if (!firstDone) {
        firstDone = true;
        document.body.setAttribute("data-rendered-nodes", String(drawnNodes));
        document.body.setAttribute("data-rendered-edges", String(drawnEdges));
        document.body.setAttribute("data-layout", "done");
      }
    })();
  }
  function reheat(to) { alpha = Math.max(alpha, to); run(); }

  // -- drawing
  var drawnNodes = 0, drawnEdges = 0;
  function resize() {
    var box = canvas.getBoundingClientRect();
    width = box.width; height = box.height;
    canvas.width = Math.max(1, Math.round(width * dpr)); canvas.height = Math.max(1, Math.round(height * dpr));
    draw();
  }
  function control(e, a, b) {
    var mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2, dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) || 1;
    return { x: mx - dy / d * e.bend, y: my + dx / d * e.bend };
  }
  // Edges and nodes are drawn in a few batched paths (one stroke for all plain edges, one
  // fill per label): tens of thousands of elements redraw in milliseconds.
  function edgePath(e, a, b) {
    var c = control(e, a, b);
    ctx.moveTo(a.x, a.y);
    if (e.s === e.t) { ctx.moveTo(a.x + 2 * radius(a), a.y - radius(a)); ctx.arc(a.x + radius(a), a.y - radius(a), radius(a), 0, 2 * Math.PI); }
    else if (e.bend) ctx.quadraticCurveTo(c.x, c.y, b.x, b.y); else ctx.lineTo(b.x, b.y);
    return c;
  }
  function draw() {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.translate(view.x, view.y); ctx.scale(view.k, view.k);
    var focus = selected || hovered, arrows = M <= 5000, j, e, a, b, c, lit = [], widths = {}, skipped = 0;
    for (j = 0; j < M; j++) {  // one path per width: few strokes, however many edges
      e = edges[j]; a = nodes[e.s]; b = nodes[e.t];
      if (e.hidden || a.hidden || b.hidden) { skipped++; continue; }
      if (focus && (focus === e || focus === a || focus === b)) { lit.push(e); continue; }
      (widths[e.w] = widths[e.w] || []).push(e);
    }
    ctx.strokeStyle = "rgba(120,130,140,0.55)";
    Object.keys(widths).forEach(function (w) {
      ctx.beginPath();
      widths[w].forEach(function (x) { edgePath(x, nodes[x.s], nodes[x.t]); });
      ctx.lineWidth = Number(w) / view.k; ctx.stroke();
    });
    if (arrows) {
      ctx.beginPath();
      for (j = 0; j < M; j++) {
        e = edges[j];
        if (e.s !== e.t && lit.indexOf(e) < 0 && !e.hidden && !nodes[e.s].hidden && !nodes[e.t].hidden) arrow(control(e, nodes[e.s], nodes[e.t]), nodes[e.t]);
      }
      ctx.fillStyle = "rgba(120,130,140,0.8)"; ctx.fill();
    }
    lit.forEach(function (x) {
      ctx.beginPath(); edgePath(x, nodes[x.s], nodes[x.t]);
      ctx.lineWidth = (x.w + 1) / view.k; ctx.strokeStyle = "#333"; ctx.stroke();
    });
    ctx.beginPath();
    lit.forEach(function (x) { if (x.s !== x.t) arrow(control(x, nodes[x.s], nodes[x.t]), nodes[x.t]); });
    ctx.fillStyle = "#333"; ctx.fill();
    drawnEdges = M - skipped;

    var byFill = {};
    for (j = 0; j < N; j++) if (!nodes[j].hidden) { var f = fill(nodes[j]); (byFill[f] = byFill[f] || []).push(nodes[j]); }
    Object.keys(byFill).forEach(function (colour) {
      ctx.beginPath();
      byFill[colour].forEach(function (n) { var rad = radius(n); ctx.moveTo(n.x + rad, n.y); ctx.arc(n.x, n.y, rad, 0, 2 * Math.PI); });
      ctx.fillStyle = colour; ctx.fill();
      ctx.lineWidth = 1 / view.k; ctx.strokeStyle = "#fff"; ctx.stroke();
    });
    drawnNodes = N - hiddenCount;
    if (focus && focus.l !== undefined) {
      ctx.beginPath(); ctx.arc(focus.x, focus.y, radius(focus), 0, 2 * Math.PI);
      ctx.lineWidth = 3 / view.k; ctx.strokeStyle = "#000"; ctx.stroke();
    }
    // captions keep their size on screen whatever the zoom; only those in view are drawn
    var captions = N <= 300 || view.k >= 1.2;
    ctx.font = (11 / view.k) + "px system-ui, sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "top"; ctx.fillStyle = "#222";
    var x0 = -view.x / view.k, y0 = -view.y / view.k, x1 = x0 + width / view.k, y1 = y0 + height / view.k;
    for (j = 0; j < N; j++) {
      var n = nodes[j];
      if (n.hidden || !(captions || n === focus) || n.x < x0 - 100 || n.x > x1 + 100 || n.y < y0 - 20 || n.y > y1 + 20) continue;
      ctx.fillText(short(n.c), n.x, n.y + radius(n) + 2 / view.k);
    }
  }
  function arrow(from, to) {  // adds an arrow head to the current path
    var dx = to.x - from.x, dy = to.y - from.y, d = Math.sqrt(dx * dx + dy * dy) || 1, rad = radius(to);
    var tipx = to.x - dx / d * rad, tipy = to.y - dy / d * rad, s = 6 / Math.sqrt(view.k);
    ctx.moveTo(tipx, tipy);
    ctx.lineTo(tipx - dx / d * s - dy / d * s * 0.5, tipy - dy / d * s + dx / d * s * 0.5);
    ctx.lineTo(tipx - dx / d * s + dy / d * s * 0.5, tipy - dy / d * s - dx / d * s * 0.5);
    ctx.closePath();
  }
  function short(text) { text = String(text); return text.length > 32 ? text.slice(0, 31) + "\u2026" : text; }

  // -- view
  function fit() {
    if (!N) return;
    var minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
    extent().forEach(function (p) { minx = Math.min(minx, p.x); maxx = Math.max(maxx, p.x); miny = Math.min(miny, p.y); maxy = Math.max(maxy, p.y); });
    var w = Math.max(maxx - minx, 1) + 80, h = Math.max(maxy - miny, 1) + 80;
    view.k = Math.min(1.5, Math.max(0.02, Math.min(width / w, height / h)));
    view.x = width / 2 - view.k * (minx + maxx) / 2; view.y = height / 2 - view.k * (miny + maxy) / 2;
  }
  // the points a drawing reaches: nodes, and each curved edge's midpoint (a quadratic curve
  // reaches half-way to its control point), so that fitting the view keeps every edge in it
  function extent() {
    var points = nodes.slice();
    edges.forEach(function (e) {
      var a = nodes[e.s], b = nodes[e.t];
      if (e.s === e.t) { points.push({ x: a.x + 2 * radius(a), y: a.y - 2 * radius(a) }); return; }
      var c = control(e, a, b);
      points.push({ x: (a.x + 2 * c.x + b.x) / 4, y: (a.y + 2 * c.y + b.y) / 4 });
    });
    return points;
  }
  function zoomAt(factor, sx, sy) {
    var k = Math.min(20, Math.max(0.01, view.k * factor));
    view.x = sx - (sx - view.x) * k / view.k; view.y = sy - (sy - view.y) * k / view.k; view.k = k;
    draw();
  }
  function world(ev) {
    var box = canvas.getBoundingClientRect(), sx = ev.clientX - box.left, sy = ev.clientY - box.top;
    return { sx: sx, sy: sy, x: (sx - view.x) / view.k, y: (sy - view.y) / view.k };
  }
  function hit(p) {
    var best = null, bestD = Infinity, j, dx, dy, d;
    for (j = 0; j < N; j++) {
      var n = nodes[j]; if (n.hidden) continue;
      dx = n.x - p.x; dy = n.y - p.y; d = dx * dx + dy * dy;
      var rad = radius(n) + 3 / view.k;
      if (d <= rad * rad && d < bestD) { best = n; bestD = d; }
    }
    if (best) return best;
    var tolerance = 5 / view.k;
    for (j = 0; j < M; j++) {
      var e = edges[j], a = nodes[e.s], b = nodes[e.t], c = control(e, a, b);
      if (e.hidden || a.hidden || b.hidden) continue;
      d = Math.min(segment(p, a, c), segment(p, c, b));
      if (d < tolerance && d < bestD) { best = e; bestD = d; }
    }
    return best;
  }
  function segment(p, a, b) {
    var dx = b.x - a.x, dy = b.y - a.y, l2 = dx * dx + dy * dy;
    var t = l2 ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2)) : 0;
    var x = a.x + t * dx - p.x, y = a.y + t * dy - p.y;
    return Math.sqrt(x * x + y * y);
  }

  // -- properties: always as text, never as markup
  function describe(item) {
    if (item.l !== undefined) return { title: item.l + ": " + item.c, props: item.p };
    return { title: nodes[item.s].c + " \u2014[" + item.y + "]\u2192 " + nodes[item.t].c, props: item.p };
  }
  function show(item) {
    selected = item;
    while (infoTable.firstChild) infoTable.removeChild(infoTable.firstChild);
    infoHint.hidden = !!item;
    if (item) {
      var d = describe(item);
      row(item.l !== undefined ? "label" : "type", item.l !== undefined ? item.l : item.y);
      if (item.l === undefined) { row("from", nodes[item.s].id); row("to", nodes[item.t].id); } else row("id", item.id);
      Object.keys(d.props).sort().forEach(function (k) { row(k, d.props[k]); });
    }
    draw();
  }
  function row(k, v) {
    var tr = document.createElement("tr"), th = document.createElement("th"), td = document.createElement("td");
    th.textContent = k; td.textContent = Array.isArray(v) ? v.join(", ") : String(v);
    tr.appendChild(th); tr.appendChild(td); infoTable.appendChild(tr);
  }
  function showTooltip(item, ev) {
    if (!item) { tooltip.hidden = true; return; }
    var d = describe(item);
    while (tooltip.firstChild) tooltip.removeChild(tooltip.firstChild);
    var b = document.createElement("b"); b.textContent = d.title; tooltip.appendChild(b);
    Object.keys(d.props).sort().slice(0, 12).forEach(function (k) {
      var line = document.createElement("div"), v = d.props[k];
      line.textContent = k + ": " + (Array.isArray(v) ? v.join(", ") : String(v));
      tooltip.appendChild(line);
    });
    tooltip.style.left = (ev.clientX + 14) + "px"; tooltip.style.top = (ev.clientY + 14) + "px";
    tooltip.hidden = false;
  }

  // -- pointer: drag a node, drag the background to pan, wheel to zoom, click to inspect
  var drag = null;
  canvas.addEventListener("mousedown", function (ev) {
    var p = world(ev), item = hit(p);
    drag = { node: item && item.l !== undefined ? item : null, item: item, sx: p.sx, sy: p.sy, vx: view.x, vy: view.y, moved: false };
    if (drag.node) drag.node.fixed = true;
    canvas.classList.add("dragging");
  });
  window.addEventListener("mousemove", function (ev) {
    var p = world(ev);
    if (drag) {
      if (Math.abs(p.sx - drag.sx) + Math.abs(p.sy - drag.sy) > 3) drag.moved = true;
      if (drag.node) { drag.node.x = p.x; drag.node.y = p.y; reheat(0.12); draw(); }
      else { view.x = drag.vx + p.sx - drag.sx; view.y = drag.vy + p.sy - drag.sy; draw(); }
      return;
    }
    if (ev.target !== canvas) { tooltip.hidden = true; return; }
    var item = hit(p);
    if (item !== hovered) { hovered = item; draw(); }
    showTooltip(item, ev);
  });
  window.addEventListener("mouseup", function () {
    if (!drag) return;
    if (drag.node) drag.node.fixed = false;
    if (!drag.moved) show(drag.item);
    drag = null; canvas.classList.remove("dragging");
  });
  canvas.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = world(ev);
    zoomAt(Math.exp(-ev.deltaY * 0.0015), p.sx, p.sy);
  }, { passive: false });
  document.getElementById("zoom-in").onclick = function () { zoomAt(1.3, width / 2, height / 2); };
  document.getElementById("zoom-out").onclick = function () { zoomAt(1 / 1.3, width / 2, height / 2); };
  document.getElementById("fit").onclick = function () { fit(); draw(); };
  document.getElementById("search").addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    var q = this.value.trim().toLowerCase();
    if (!q) return;
    var found = nodes.filter(function (n) { return String(n.c).toLowerCase().indexOf(q) >= 0 || n.id.toLowerCase().indexOf(q) >= 0; })[0];
    if (!found) return;
    view.k = Math.max(view.k, 1.5);
    view.x = width / 2 - found.x * view.k; view.y = height / 2 - found.y * view.k;
    show(found);
  });
  window.addEventListener("resize", resize);

  // Test and scripting hook: the drawn node's screen position by id.
  window.graphkit = {
    position: function (id) {
      var n = nodes.filter(function (x) { return x.id === id; })[0], box = canvas.getBoundingClientRect();
      return n ? { x: box.left + view.x + n.x * view.k, y: box.top + view.y + n.y * view.k } : null;
    },
    view: view,
    // colour nodes by "label" or "community"; and the colour a node is drawn in
    colourBy: colourBy,
    colourOf: function (id) { var n = nodes.filter(function (x) { return x.id === id; })[0]; return n ? fill(n) : null; },
    // the time window, as ISO 8601 texts (null: open), and what it leaves shown
    setWindow: function (from, to) { setWindow(from ? Date.parse(from) : -Infinity, to ? Date.parse(to) : Infinity); },
    shown: function () {
      return {
        nodes: nodes.filter(function (n) { return !n.hidden; }).map(function (n) { return n.id; }),
        edges: edges.filter(function (e) { return !e.hidden && !nodes[e.s].hidden && !nodes[e.t].hidden; })
          .map(function (e) { return nodes[e.s].id + " " + e.y + " " + nodes[e.t].id; })
      };
    },
    // how many edges reach outside the canvas as drawn now (ends, curve midpoints, loops)
    edgesOutside: function () {
      var outside = 0;
      edges.forEach(function (e) {
        var a = nodes[e.s], b = nodes[e.t], c = control(e, a, b), pts;
        pts = e.s === e.t ? [a, { x: a.x + 2 * radius(a), y: a.y - 2 * radius(a) }]
                          : [a, b, { x: (a.x + 2 * c.x + b.x) / 4, y: (a.y + 2 * c.y + b.y) / 4 }];
        if (pts.some(function (p) {
          var sx = view.x + p.x * view.k, sy = view.y + p.y * view.k;
          return sx < 0 || sy < 0 || sx > width || sy > height;
        })) outside++;
      });
      return outside;
    }
  };

  resize();
  run();
})();
