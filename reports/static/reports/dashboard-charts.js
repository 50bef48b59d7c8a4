/* Dashboard charts: draws each <canvas data-chart="name"> from the page's JSON data
   (json_script, id given by data-source). The same figures are in a table beside each
   chart, so the page is complete without JavaScript. No inline script or style: CSP. */
(function () {
  "use strict";

  var COLOURS = ["#0b3d91", "#146c2e", "#8a4b00", "#a4161a", "#4a5263"];

  function chartType(canvas) {
    return canvas.getAttribute("data-type") || "bar";
  }

  function draw(canvas, spec) {
    var type = chartType(canvas);
    var datasets = spec.series.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: series.label,
        data: series.data,
        backgroundColor: type === "doughnut" ? COLOURS : colour,
        borderColor: colour,
        borderWidth: type === "line" ? 2 : 0,
        fill: false,
        spanGaps: false
      };
    });
    var scales = {};
    if (type !== "doughnut") {
      scales.y = { beginAtZero: true, ticks: { precision: 0 } };
      if (spec.unit === "%") {
        scales.y.max = 100;
      }
    }
    return new window.Chart(canvas, {
      type: type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: { legend: { display: datasets.length > 1 || type === "doughnut" } }
      }
    });
  }

  function start() {
    if (!window.Chart) {
      return;
    }
    var canvases = document.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-source"));
      if (!source) {
        return;
      }
      var data = JSON.parse(source.textContent);
      var spec = data[canvas.getAttribute("data-chart")];
      if (spec) {
        draw(canvas, spec);
        canvas.closest(".chart").classList.add("chart-drawn");
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
