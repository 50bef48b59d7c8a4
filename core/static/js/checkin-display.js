// Projector page: swap in the new QR code and six-digit code at each 30-second window, count
// down to the next one and keep the number of officers checked in up to date. Without this
// script the page reloads itself every 15 seconds.
(function () {
  "use strict";
  var box = document.getElementById("checkin-display");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-current-url");
  var left = parseInt(box.getAttribute("data-expires-in"), 10) || 30;
  var windowNumber = box.getAttribute("data-window");
  var qr = document.getElementById("checkin-qr");
  var code = document.getElementById("checkin-code");
  var seconds = document.getElementById("checkin-seconds");
  var count = document.getElementById("checkin-count");
  var openPart = document.getElementById("checkin-open");
  var closedPart = document.getElementById("checkin-closed");
  var lastPoll = 0;

  function apply(data) {
    left = data.expires_in;
    if (openPart) { openPart.hidden = !data.open; }
    if (closedPart) { closedPart.hidden = data.open; }
    if (data.open && String(data.window) !== windowNumber) {
      windowNumber = String(data.window);
      // The SVG is drawn by our own server from our own URL.
      if (qr) { qr.innerHTML = data.svg; }
      if (code) { code.textContent = data.code; }
    }
    if (count) { count.textContent = String(data.checked_in); }
    if (seconds) { seconds.textContent = String(left); }
  }

  function poll() {
    lastPoll = Date.now();
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(apply)
      .catch(function () { /* try again at the next tick */ });
  }

  window.setInterval(function () {
    left -= 1;
    if (seconds) { seconds.textContent = String(Math.max(left, 0)); }
    // A new window has begun, or it is time to refresh the count.
    if (left <= 0 || Date.now() - lastPoll >= 5000) { poll(); }
  }, 1000);
  poll();
})();
