// Export job page: asks the job's JSON every 2 s and updates the progress bar and the status
// line (an aria-live region); once the file is ready it shows the download link and its
// expiry, or the error if it failed. Without this script the Refresh link reloads the page.
(function () {
  "use strict";
  var section = document.getElementById("export-job");
  if (!section || !window.fetch || section.getAttribute("data-finished")) { return; }
  var url = section.getAttribute("data-url");
  var bar = document.getElementById("export-bar");
  var live = document.getElementById("export-live");
  var ready = document.getElementById("export-ready");
  var link = document.getElementById("export-download");
  var expires = document.getElementById("export-expires");
  var failed = document.getElementById("export-failed");
  var error = document.getElementById("export-error");
  var timer = null;

  function show(data) {
    bar.max = Math.max(data.rows_total, 1);
    bar.value = data.rows_done;
    bar.textContent = data.percent + "%";
    // Only a change is announced, so a screen reader is not told the same line every 2 s.
    if (live.textContent !== data.text) { live.textContent = data.text; }
    if (data.ready) {
      link.href = data.download_url;
      expires.textContent = data.expires_at;
      ready.hidden = false;
    }
    if (data.status === "failed") {
      error.textContent = data.error;
      failed.hidden = false;
    }
    return data.finished;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        if (!show(data)) { timer = window.setTimeout(poll, 2000); }
      })
      .catch(function () {
        // A lost connection or a signed-out session: try again later, quietly.
        timer = window.setTimeout(poll, 10000);
      });
  }

  timer = window.setTimeout(poll, 2000);
  window.addEventListener("pagehide", function () { if (timer) { window.clearTimeout(timer); } });
})();
