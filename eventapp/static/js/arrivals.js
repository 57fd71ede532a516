// Live arrivals (organisers): the figures, tables and the per-10-minutes chart, refreshed from
// arrivals.json every few seconds without reloading. Without JavaScript the page shows the same numbers
// as tables. No inline script: the data arrives in <script type="application/json">.
(function () {
  "use strict";

  var root = document.getElementById("arrivals");
  if (!root) { return; }

  var POINT_COLORS = ["#0b5cab", "#137a3a", "#e3a33b", "#7a4ab0", "#b3261e", "#2a8fa0"];
  var FETCH_TIMEOUT_MS = 8000;
  var interval = parseInt(root.dataset.interval, 10) || 10000;
  var numbers = new Intl.NumberFormat("en-US");
  var t = readJson("arrivals-i18n") || {};
  var chart = null;
  var lastKey = "";
  var timer = null;
  var busy = false;

  function readJson(id) {
    var element = document.getElementById(id);
    if (!element) { return null; }
    try { return JSON.parse(element.textContent); } catch (error) { return null; }
  }

  function fmt(value) { return value == null ? "—" : numbers.format(value); }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text != null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function num(value) { return el("td", fmt(value), "num"); }

  function fill(name, rows, toCells, emptyColumns) {
    var body = root.querySelector('[data-table="' + name + '"]');
    if (!body) { return; }
    var fragment = document.createDocumentFragment();
    if (!rows.length && emptyColumns) {
      var empty = el("td", t.empty || "", "empty");
      empty.colSpan = emptyColumns;
      fragment.appendChild(el("tr")).appendChild(empty);
    }
    rows.forEach(function (row) {
      var tr = el("tr");
      toCells(row).forEach(function (td) { tr.appendChild(td); });
      fragment.appendChild(tr);
    });
    body.replaceChildren(fragment);
  }

  function share(row) {
    var meterCell = el("td", null, "c-meter");
    var meter = meterCell.appendChild(el("meter"));
    meter.min = 0; meter.max = row.registered || 1; meter.value = row.arrived;
    meter.setAttribute("aria-hidden", "true");
    return [el("td", row.name), num(row.registered), num(row.arrived), el("td", row.percent + "%", "num"), meterCell];
  }

  function renderNumbers(d) {
    document.querySelectorAll("[data-stat]").forEach(function (node) {
      var value = d[node.dataset.stat];
      if (value !== undefined) { node.textContent = fmt(value); }
    });
    var flags = root.querySelector('[data-live="flags"]');
    if (flags) { flags.classList.toggle("has-flags", d.open_flags > 0); }
    var updated = root.querySelector('[data-live="updated"]');
    if (updated) { updated.textContent = d.generated_at_display; updated.dateTime = d.generated_at; }
  }

  function renderTables(d) {
    fill("points", d.points, function (p) {
      var status = el("td");
      status.appendChild(el("span", p.closed ? t.closed : t.open, "badge " + (p.closed ? "badge-cancelled" : "badge-confirmed")));
      return [el("td", p.name), num(p.eligible), num(p.arrived), num(p.inside), status];
    }, 0);
    var head = root.querySelector('[data-table="bucket-head"]');
    if (head) {
      var cells = [head.firstElementChild];
      d.points.forEach(function (p) { cells.push(el("th", p.name, "num")); });
      cells.push(el("th", t.total, "num"));
      head.replaceChildren.apply(head, cells);
    }
    fill("buckets", d.buckets.slice().reverse(), function (b) {
      var when = el("td");
      var time = when.appendChild(el("time", b.label));
      time.dateTime = b.start;
      return [when].concat(b.counts.map(num), [num(b.total)]);
    }, 0);
    fill("categories", d.categories, share, 5);
    fill("groups", d.groups, share, 5);
    var hasBuckets = d.buckets.length > 0;
    [["buckets-details", !hasBuckets], ["buckets-empty", hasBuckets], ["earlier", !d.earlier]].forEach(function (pair) {
      var node = root.querySelector('[data-live="' + pair[0] + '"]');
      if (node) { node.hidden = pair[1]; }
    });
  }

  function setupChart() {
    var Chart = window.Chart;
    var box = root.querySelector('[data-chart="buckets"]');
    if (!Chart || !box) { return; }
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#5b6470";
    Chart.defaults.borderColor = "#e6e9ed";
    Chart.defaults.plugins.legend.position = "bottom";
    Chart.defaults.plugins.legend.labels.boxWidth = 14;
    // A board that redraws every few seconds: bars that grow each time would never be still to read.
    Chart.defaults.animation = false;
    chart = new Chart(box.querySelector("canvas"), {
      type: "bar",
      data: { labels: [], datasets: [] },
      options: {
        responsive: true, maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 10 } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
    root.classList.add("has-charts");
  }

  function renderChart(d) {
    if (!chart) { return; }
    chart.data.labels = d.buckets.map(function (b) { return b.label; });
    chart.data.datasets = d.points.map(function (p, index) {
      return { label: p.name, backgroundColor: POINT_COLORS[index % POINT_COLORS.length],
               data: d.buckets.map(function (b) { return b.counts[index]; }) };
    });
    chart.canvas.parentNode.hidden = !d.buckets.length;
    chart.update("none");
  }

  function render(d) {
    renderNumbers(d);
    var key = JSON.stringify(Object.assign({}, d, { generated_at: null, generated_at_display: null }));
    if (key === lastKey) { return; }  // nothing new: leave the tables and the chart as they are
    lastKey = key;
    renderTables(d);
    renderChart(d);
  }

  function setOffline(offline) {
    var note = root.querySelector('[data-live="offline"]');
    if (note) { note.hidden = !offline; }
    root.classList.toggle("is-offline", offline);
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function poll() {
    if (document.hidden || busy) { return; }  // resumes when the tab is shown again
    busy = true;
    var controller = new AbortController();
    var abortTimer = setTimeout(function () { controller.abort(); }, FETCH_TIMEOUT_MS);
    // redirect "error": an expired login answers with a redirect to /login, which is not data.
    fetch(root.dataset.source, { headers: { Accept: "application/json" }, credentials: "same-origin",
                                 cache: "no-store", redirect: "error", signal: controller.signal })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (fresh) { render(fresh); setOffline(false); })
      .catch(function () { setOffline(true); })  // keep the last figures on screen
      .finally(function () { clearTimeout(abortTimer); busy = false; schedule(interval); });
  }

  setupChart();
  var data = readJson("arrivals-data");
  if (data) { render(data); }
  if (document.fonts && document.fonts.ready && chart) {  // labels were measured before the Japanese font arrived
    document.fonts.ready.then(function () { chart.update("none"); });
  }
  schedule(interval);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { schedule(0); } });
  window.addEventListener("online", function () { schedule(0); });
})();
