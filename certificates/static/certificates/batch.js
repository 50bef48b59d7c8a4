// Batch progress page: asks the batch's JSON every 2 s and updates the counts, the progress
// bar and the status line (an aria-live region), until nothing is waiting. Without this
// script the page shows the counts as they were, and the Refresh link reloads it.
(function () {
  "use strict";
  var section = document.getElementById("batch-progress");
  if (!section || !window.fetch) { return; }
  var url = section.getAttribute("data-url");
  var bar = document.getElementById("batch-bar");
  var live = document.getElementById("batch-live");
  var hint = document.getElementById("batch-failed-hint");
  var failedAtLoad = null;
  var last = "";

  function count(name) { return section.querySelector('[data-count="' + name + '"]'); }

  function show(data) {
    ["done", "failed", "waiting", "total"].forEach(function (name) {
      var cell = count(name);
      if (cell) { cell.textContent = String(data[name]); }
    });
    bar.max = Math.max(data.total, 1);
    bar.value = data.done + data.failed;
    bar.textContent = (data.done + data.failed) + " / " + data.total;
    var text = section.getAttribute("data-message")
      .replace("{done}", data.done).replace("{total}", data.total)
      .replace("{failed}", data.failed).replace("{waiting}", data.waiting);
    if (data.finished) { text += " " + section.getAttribute("data-finished"); }
    // Only a change is announced, so a screen reader is not told the same line every 2 s.
    if (text !== last) { live.textContent = text; last = text; }
    if (failedAtLoad === null) { failedAtLoad = data.failed; }
    if (hint && data.failed > failedAtLoad) { hint.hidden = false; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (!data.finished) { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  failedAtLoad = parseInt(count("failed").textContent, 10);
  last = live.textContent;
  window.setTimeout(poll, 2000);
})();
