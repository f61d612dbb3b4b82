// Draws the analytics charts from the JSON the server embeds; redraws when htmx swaps the report.
const palette = ["#4b3fd6", "#0f8b8d", "#c2410c", "#1d4ed8", "#7c3aed", "#15803d", "#b45309", "#be123c"];
const charts = [];

function draw() {
  const source = document.getElementById("chart-data");
  charts.splice(0).forEach((chart) => chart.destroy());
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const bar = (id, rows, label) => charts.push(new Chart(document.getElementById(id), {
    type: "bar",
    data: { labels: rows.map((r) => r.name.replaceAll("_", " ")), datasets: [{ label, data: rows.map((r) => r.count), backgroundColor: palette }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { y: { ticks: { autoSkip: false } } } },
  }));
  charts.push(new Chart(document.getElementById("chart-volume"), {
    type: "bar",
    data: {
      labels: data.volume.map((r) => r.day),
      datasets: [
        { label: "Voice", data: data.volume.map((r) => r.voice), backgroundColor: palette[0] },
        { label: "Chat", data: data.volume.map((r) => r.chat), backgroundColor: palette[1] },
      ],
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  }));
  charts.push(new Chart(document.getElementById("chart-sentiment"), {
    type: "doughnut",
    options: { maintainAspectRatio: false },
    data: { labels: ["Negative", "Neutral", "Positive"], datasets: [{ data: [data.sentiment.negative, data.sentiment.neutral, data.sentiment.positive], backgroundColor: ["#c0392b", "#9aa5b1", "#1f8a4c"] }] },
  }));
  bar("chart-intents", data.intents, "Conversations");
  bar("chart-categories", data.categories, "Conversations");
}

document.addEventListener("DOMContentLoaded", draw);
document.addEventListener("htmx:afterSettle", draw);
