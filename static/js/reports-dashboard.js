// Draws the dashboard's charts from the JSON the page embeds; each chart also has a table.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#0dcaf0",
                 "#ffc107", "#6c757d", "#d63384"];
  window.Chart.defaults.font.family = "Sarabun, system-ui, sans-serif";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var chart = data[canvas.getAttribute("data-chart")];
    if (!chart) { return; }
    var datasets = [{ label: chart.title, data: chart.counts,
                      backgroundColor: chart.type === "line" ? palette[0] : palette,
                      borderColor: palette[0], tension: 0.2 }];
    if (chart.values) {
      datasets.push({ label: chart.value_label, data: chart.values, backgroundColor: palette[1],
                      borderColor: palette[1], tension: 0.2, yAxisID: "y1" });
    }
    var scales = chart.type === "doughnut" ? {} : { y: { beginAtZero: true } };
    if (chart.values) { scales.y1 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } }; }
    canvas.chart = new window.Chart(canvas, {
      type: chart.type,
      data: { labels: chart.labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: scales,
                 plugins: { legend: { display: chart.type === "doughnut" || !!chart.values } } }
    });
  });
})();
