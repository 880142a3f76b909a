// Keeps the live calls table up to date from the server's event stream (/ops/live/events).
// Rows are built with textContent only: nothing from the server is ever parsed as markup.
(() => {
  const table = document.getElementById("live-calls");
  const status = document.getElementById("live-status");
  if (!table || !status || !("EventSource" in window)) return;
  const body = table.tBodies[0];
  // The server's clock may differ from this machine's (or be pinned): durations count from its time.
  let offsetMs = Date.parse(table.dataset.now || "") - Date.now() || 0;

  function duration(startedAt) {
    const s = Math.max(0, Math.round((Date.now() + offsetMs - Date.parse(startedAt)) / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = String(s % 60).padStart(2, "0");
    return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
  }

  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function draw(calls) {
    const rows = calls.map((call) => {
      const row = document.createElement("tr");
      row.dataset.callSid = call.callSid;
      row.dataset.startedAt = call.startedAt;
      cell(row, call.started);
      cell(row, duration(call.startedAt), "num duration");
      cell(row, call.step);
      cell(row, call.language);
      cell(row, call.card);
      const link = document.createElement("a");
      link.href = `/ops/calls/${encodeURIComponent(call.callSid)}`;
      link.textContent = call.callSid;
      cell(row, "").appendChild(link);
      return row;
    });
    body.replaceChildren(...rows);
    status.textContent = calls.length === 1 ? "1 call in progress." : `${calls.length} calls in progress.`;
  }

  const source = new EventSource(table.dataset.stream);
  source.addEventListener("calls", (event) => {
    const snapshot = JSON.parse(event.data);
    offsetMs = Date.parse(snapshot.now) - Date.now();
    draw(snapshot.calls);
    table.dataset.updated = String(Date.now());
  });
  source.addEventListener("error", () => {
    status.textContent =
      source.readyState === EventSource.CLOSED
        ? "Updates stopped. Reload the page (you may need to sign in again)."
        : "Reconnecting…";
  });

  setInterval(() => {
    for (const row of body.rows) {
      const td = row.querySelector(".duration");
      if (td && row.dataset.startedAt) td.textContent = duration(row.dataset.startedAt);
    }
  }, 1000);
})();
