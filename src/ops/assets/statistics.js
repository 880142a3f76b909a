// Draws the statistics page's charts with Chart.js (served at /ops/assets/vendor/chart.umd.min.js,
// loaded before this file). Each <canvas data-chart> carries its figures as JSON; the table under
// it shows the same figures, so without this script (or Chart.js) the page still says everything.
(() => {
  const { Chart } = window;
  if (!Chart) return;

  const style = getComputedStyle(document.documentElement);
  const colour = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  const tones = {
    good: colour("--good", "#1e7b34"),
    bad: colour("--bad", "#b3261e"),
  };
  const accent = colour("--accent", "#0b5cad");
  const ink = colour("--ink", "#1c2430");

  // 0:07, 3:25, 1:02:03: as format.ts writes durations on the server.
  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = String(s % 60).padStart(2, "0");
    return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
  }

  function config(spec) {
    const format = spec.unit === "seconds" ? duration : (value) => String(value);
    if (spec.type === "doughnut") {
      return {
        type: "doughnut",
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map((d) => ({
            ...d,
            backgroundColor: (spec.tones || []).map((tone) => tones[tone] || accent),
          })),
        },
        options: {
          animation: false,
          // As wide as the bar charts are tall, not a square filling the card.
          aspectRatio: 2,
          plugins: { legend: { position: "bottom", labels: { color: ink } } },
        },
      };
    }
    const valueAxis = spec.horizontal ? "x" : "y";
    return {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((d) => ({ ...d, backgroundColor: accent })),
      },
      options: {
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        scales: {
          // Counts are whole: no ticks at 0.5.
          [valueAxis]: {
            beginAtZero: true,
            ticks: { precision: 0, color: ink, callback: (value) => format(value) },
          },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (item) => `${item.dataset.label}: ${format(item.raw)}`,
            },
          },
        },
      },
    };
  }

  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    let spec;
    try {
      spec = JSON.parse(canvas.dataset.chart || "");
    } catch {
      continue;
    }
    canvas.hidden = false;
    new Chart(canvas, config(spec));
  }
})();
