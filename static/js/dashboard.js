/* The dashboard's month chart (Chart.js, from our own static files). The same figures are in
   the table beside it, for screen readers and for anyone without JavaScript; a click on a bar
   opens the case list filtered to that month. */
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("months-chart");
    var source = document.getElementById("months-data");
    if (!canvas || !source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var labels = JSON.parse(document.getElementById("months-labels").textContent);
    var locale = document.documentElement.lang === "en" ? "en-GB" : "da-DK";
    var money = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    var chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: labels.handed_over, data: data.handed_over, backgroundColor: "#90a4ae" },
          { label: labels.collected, data: data.collected, backgroundColor: "#2e7d32" }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: locale,
        scales: { y: { ticks: { callback: function (v) { return money.format(v); } } } },
        plugins: {
          tooltip: { callbacks: { label: function (c) {
            return c.dataset.label + ": " + money.format(c.parsed.y) + " kr.";
          } } }
        },
        onClick: function (event, elements) {
          if (!elements.length) { return; }
          var hit = elements[0];
          window.location.href = data.links[hit.datasetIndex][hit.index];
        }
      }
    });
    canvas.dataset.ready = "1";
    return chart;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
