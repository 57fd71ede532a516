// Organiser dashboard: charts drawn from the page's JSON data block, then refreshed from
// /admin/dashboard.json every few seconds. Progressive enhancement: without JavaScript the page
// shows the same figures as tables. No inline script: data arrives in <script type="application/json">.
(function () {
  "use strict";

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  var root = document.getElementById("dashboard");
  if (!root) { return; }

  var COLORS = { confirmed: "#0b5cab", waitlisted: "#e3a33b", cumulative: "#137a3a", capacity: "#b3261e",
                 grid: "#e6e9ed", text: "#5b6470" };
  var FETCH_TIMEOUT_MS = 8000;
  var interval = parseInt(root.dataset.interval, 10) || 10000;
  var numbers = new Intl.NumberFormat("en-US");
  var t = readJson("dashboard-i18n") || {};
  var data = readJson("dashboard-data");
  var lastKey = "";
  var charts = {};
  var timer = null;
  var busy = false;

  function readJson(id) {
    var element = document.getElementById(id);
    if (!element) { return null; }
    try { return JSON.parse(element.textContent); } catch (error) { return null; }
  }

  function pick(object, path) {
    return path.split(".").reduce(function (o, key) { return o == null ? o : o[key]; }, object);
  }

  function fmt(value) { return value == null ? "—" : numbers.format(value); }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text != null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  // --- tables and counters (the same markup the server renders) ----------------------------------

  function fillTable(name, rows, toCells, columns) {
    var body = root.querySelector('[data-table="' + name + '"]');
    if (!body) { return; }
    var fragment = document.createDocumentFragment();
    if (!rows.length && columns) {
      var empty = el("td", t.empty || "", "empty");
      empty.colSpan = columns;
      fragment.appendChild(el("tr")).appendChild(empty);
    }
    rows.forEach(function (row) {
      var tr = el("tr");
      toCells(row).forEach(function (td) { tr.appendChild(td); });
      fragment.appendChild(tr);
    });
    body.replaceChildren(fragment);
  }

  function num(value) { return el("td", fmt(value), "num"); }

  function statusBadge(status) {
    var td = el("td", null, "c-status");
    td.appendChild(el("span", t[status] || status, "badge badge-" + status));
    return td;
  }

  function timeCell(iso, text) {
    var td = el("td", null, "c-time");
    var time = td.appendChild(el("time", text));
    time.dateTime = iso;
    return td;
  }

  function renderNumbers(d) {
    root.querySelectorAll("[data-stat]").forEach(function (node) {
      var value = pick(d, node.dataset.stat);
      if (value !== undefined) { node.textContent = fmt(value); }
    });
    var meter = root.querySelector('[data-live="fill"]');
    if (meter) { meter.value = d.fill_percent; meter.textContent = d.fill_percent + "%"; }
    var seats = root.querySelector('[data-live="seats"]');
    if (seats) { seats.classList.toggle("is-full", d.seats_left === 0); }
    var updated = root.querySelector('[data-live="updated"]');
    if (updated) { updated.textContent = d.generated_at_display; updated.dateTime = d.generated_at; }
  }

  function renderTables(d) {
    fillTable("latest", d.latest, function (r) {
      return [timeCell(r.created_at, r.time_display), el("td", r.name, "c-name"), el("td", r.company, "c-company"),
              el("td", r.category, "c-category"), statusBadge(r.status)];
    }, 5);
    fillTable("categories", d.categories, function (c) {
      return [el("td", c.name), num(c.confirmed), num(c.waitlisted), num(c.cancelled), num(c.capacity)];
    }, 0);
    fillTable("industries", d.industries, function (i) {
      return [el("td", i.name), num(i.confirmed), num(i.waitlisted), num(i.active)];
    }, 4);
    fillTable("groups", d.groups, function (g) {
      return [el("td", g.name), num(g.confirmed), num(g.waitlisted), num(g.active)];
    }, 4);
    fillTable("days", d.days.slice().reverse(), function (day) {
      return [el("td", day.label), num(day.count), num(day.cumulative)];
    }, 0);
    var details = root.querySelector('[data-live="days-details"]');
    var empty = root.querySelector('[data-live="days-empty"]');
    if (details) { details.hidden = !d.days.length; }
    if (empty) { empty.hidden = d.days.length > 0; }
  }

  // --- charts -------------------------------------------------------------------------------------

  // Long names (電気・ガス・熱供給・水道業) would squeeze the bars: cut them to a width budget in which
  // a Japanese character counts double. Tooltips and the table keep the whole name.
  function shorten(label, budget) {
    var used = 0;
    for (var i = 0; i < label.length; i += 1) {
      used += label.charCodeAt(i) > 0x2e7f ? 2 : 1;
      if (used > budget) { return label.slice(0, Math.max(i - 1, 1)) + "…"; }
    }
    return label;
  }

  function makeChart(name, config) {
    var box = root.querySelector('[data-chart="' + name + '"]');
    if (!box) { return null; }
    box.hidden = false;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false }, config.options);
    return new window.Chart(box.querySelector("canvas"), config);
  }

  function stackedBar(extra) {
    return Object.assign({
      type: "bar",
      data: { labels: [], datasets: [
        { label: t.confirmed, data: [], backgroundColor: COLORS.confirmed, stack: "s" },
        { label: t.waitlisted, data: [], backgroundColor: COLORS.waitlisted, stack: "s" },
      ] },
    }, extra);
  }

  function setupCharts() {
    var Chart = window.Chart;
    if (!Chart) { return; }
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = COLORS.text;
    Chart.defaults.borderColor = COLORS.grid;
    Chart.defaults.plugins.legend.position = "bottom";
    Chart.defaults.plugins.legend.labels.boxWidth = 14;
    // In the order the datasets are listed (drawing order puts lines over bars, not the legend).
    Chart.defaults.plugins.legend.labels.sort = function (a, b) { return a.datasetIndex - b.datasetIndex; };
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      Chart.defaults.animation = false;
    }
    var integer = { beginAtZero: true, ticks: { precision: 0 } };

    charts.days = makeChart("days", {
      type: "bar",
      data: { labels: [], datasets: [
        { type: "bar", label: t.daily, data: [], backgroundColor: COLORS.confirmed, yAxisID: "y", order: 3 },
        { type: "line", label: t.cumulative, data: [], borderColor: COLORS.cumulative,
          backgroundColor: COLORS.cumulative, yAxisID: "total", tension: 0.2, pointRadius: 0, borderWidth: 2,
          order: 2 },
        { type: "line", label: t.capacity, data: [], borderColor: COLORS.capacity, backgroundColor: COLORS.capacity,
          borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, yAxisID: "total", order: 1 },
      ] },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 12 } },
          y: Object.assign({ position: "left", title: { display: true, text: t.daily } }, integer),
          total: Object.assign({ position: "right", grid: { drawOnChartArea: false },
                                 title: { display: true, text: t.cumulative } }, integer),
        },
      },
    });

    charts.categories = makeChart("categories", stackedBar({
      options: { scales: { x: { stacked: true, grid: { display: false } },
                           y: Object.assign({ stacked: true }, integer) } },
    }));

    ["industries", "groups"].forEach(function (name) {
      charts[name] = makeChart(name, stackedBar({
        options: {
          indexAxis: "y",
          scales: {
            x: Object.assign({ stacked: true }, integer),
            y: { stacked: true, grid: { display: false }, ticks: { autoSkip: false, callback: function (value) {
              return shorten(this.getLabelForValue(value), this.chart.width < 420 ? 22 : 30);
            } } },
          },
        },
      }));
    });
    root.classList.add("has-charts");
  }

  function renderCharts(d) {
    if (charts.days) {
      var days = charts.days;
      days.data.labels = d.days.map(function (day) { return day.label; });
      days.data.datasets[0].data = d.days.map(function (day) { return day.count; });
      days.data.datasets[1].data = d.days.map(function (day) { return day.cumulative; });
      days.data.datasets[2].data = d.days.map(function () { return d.capacity; });
      days.canvas.parentNode.hidden = !d.days.length;
      days.update();
    }
    [["categories", d.categories], ["industries", d.industries], ["groups", d.groups]].forEach(function (pair) {
      var chart = charts[pair[0]];
      var rows = pair[1];
      if (!chart) { return; }
      chart.data.labels = rows.map(function (row) { return row.name; });
      chart.data.datasets[0].data = rows.map(function (row) { return row.confirmed; });
      chart.data.datasets[1].data = rows.map(function (row) { return row.waitlisted; });
      chart.canvas.parentNode.hidden = !rows.length;
      if (chart.options.indexAxis === "y") {  // one readable bar per row
        chart.canvas.parentNode.style.height = Math.max(140, rows.length * 28 + 70) + "px";
      }
      chart.update();
    });
  }

  // --- live updates -------------------------------------------------------------------------------

  function render(d) {
    renderNumbers(d);
    var key = JSON.stringify(Object.assign({}, d, { generated_at: null, generated_at_display: null }));
    if (key === lastKey) { return; }  // nothing new: leave tables and charts as they are
    lastKey = key;
    renderTables(d);
    renderCharts(d);
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
      .then(function (fresh) { data = fresh; render(fresh); setOffline(false); })
      .catch(function () { setOffline(true); })  // keep the last figures on screen
      .finally(function () { clearTimeout(abortTimer); busy = false; schedule(interval); });
  }

  setupCharts();
  if (data) { render(data); }
  if (document.fonts && document.fonts.ready) {  // labels were measured before the Japanese font arrived
    document.fonts.ready.then(function () {
      Object.keys(charts).forEach(function (name) { if (charts[name]) { charts[name].update("none"); } });
    });
  }
  schedule(interval);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { schedule(0); } });
  window.addEventListener("online", function () { schedule(0); });
})();
