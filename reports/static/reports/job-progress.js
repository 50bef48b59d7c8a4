// Pages of work a worker does in the background (an export, a signed PDF transcript). Each
// section with data-progress-url asks that JSON every 2 s and updates the parts it holds,
// named by data-progress: "live" (the status line, an aria-live region), "bar" (a
// <progress>, from rows_done/rows_total), "ready" (shown once the file is ready), "link"
// (its href becomes download_url), "expires" (expires_at), "failed" and "error" (shown when
// the status is "failed"). A section marked data-finished is not polled. Without this
// script the page's Refresh link reloads it.
(function () {
  "use strict";
  if (!window.fetch) { return; }

  function follow(section) {
    if (section.getAttribute("data-finished")) { return; }
    var url = section.getAttribute("data-progress-url");
    function part(name) { return section.querySelector('[data-progress="' + name + '"]'); }
    var bar = part("bar");
    var live = part("live");
    var ready = part("ready");
    var link = part("link");
    var expires = part("expires");
    var failed = part("failed");
    var error = part("error");
    var timer = null;

    function show(data) {
      if (bar) {
        bar.max = Math.max(data.rows_total, 1);
        bar.value = data.rows_done;
        bar.textContent = data.percent + "%";
      }
      // Only a change is announced, so a screen reader is not told the same line every 2 s.
      if (live && live.textContent !== data.text) { live.textContent = data.text; }
      if (data.ready) {
        if (link) { link.href = data.download_url; }
        if (expires) { expires.textContent = data.expires_at || ""; }
        if (ready) { ready.hidden = false; }
      }
      if (data.status === "failed") {
        if (error) { error.textContent = data.error; }
        if (failed) { failed.hidden = false; }
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
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-progress-url]"), follow);
})();
