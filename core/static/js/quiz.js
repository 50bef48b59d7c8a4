// Quiz page: saves answers as the officer goes, keeps them through a lost connection, and
// shows the time left. The server decides everything; this only helps.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var status = document.getElementById("save-status");
  var saveUrl = form.getAttribute("data-save-url");
  var storeKey = "attempt-" + form.getAttribute("data-attempt");
  var pending = false;
  var timer = null;

  function say(text) { if (status) { status.textContent = text; } }

  function payload() { return new FormData(form); }

  function remember() {
    var data = {};
    payload().forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken") { return; }
      (data[key] = data[key] || []).push(value);
    });
    try { window.localStorage.setItem(storeKey, JSON.stringify(data)); } catch (e) { /* private mode */ }
  }

  function save() {
    pending = false;
    remember();
    fetch(saveUrl, { method: "POST", body: payload(), credentials: "same-origin",
                     headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (response.status === 409) { say(form.getAttribute("data-closed")); return; }
        if (!response.ok) { throw new Error(String(response.status)); }
        say(form.getAttribute("data-saved") + " " + new Date().toLocaleTimeString());
      })
      .catch(function () {
        pending = true;
        say(form.getAttribute("data-offline"));
      });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 800);
  }

  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
  window.addEventListener("online", function () { if (pending) { save(); } });
  form.addEventListener("submit", function () {
    try { window.localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
  });

  var clock = document.getElementById("time-left");
  if (clock) {
    var left = parseInt(clock.getAttribute("data-seconds"), 10);
    var tick = function () {
      if (left <= 0) { clock.textContent = "0:00"; form.submit(); return; }
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      clock.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      left -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  }
})();
