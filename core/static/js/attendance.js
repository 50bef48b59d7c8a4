// Roster page: each mark is saved the moment it is tapped. A mark that cannot be sent (no
// connection, server error) waits in this phone's storage and is sent again every few
// seconds, when the connection comes back, and when the page is opened again. Sending a mark
// twice is harmless: the server keeps one. Without this script every row is a plain form.
(function () {
  "use strict";
  var list = document.getElementById("roster");

  // The sign-in sheet page: look again every few seconds while the PDF is being prepared.
  var sheet = document.getElementById("sheet-status");
  if (sheet && sheet.getAttribute("data-pending") === "true") {
    window.setTimeout(function () { window.location.reload(); }, 4000);
  }

  if (!list || !window.fetch || !window.FormData) { return; }
  var storeKey = "roster-queue-" + list.getAttribute("data-session");
  var sync = document.getElementById("roster-sync");
  var inflight = {};
  var text = function (name) { return list.getAttribute("data-" + name) || ""; };

  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  var queue = load();
  function store() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(queue)); } catch (e) { /* private mode */ }
  }

  function formOf(seat) { return list.querySelector('form[data-seat="' + seat + '"]'); }

  function say(form, message) {
    var state = form && form.querySelector(".roster-state");
    if (state) { state.textContent = message; }
  }

  function labelOf(form, status) {
    var button = form.querySelector('button[value="' + status + '"]');
    return button ? button.textContent : status;
  }

  function show(form, status) {
    var buttons = form.querySelectorAll("button[name=status]");
    for (var i = 0; i < buttons.length; i += 1) {
      buttons[i].setAttribute("aria-pressed", buttons[i].value === status ? "true" : "false");
    }
  }

  function pressed(form) {
    var button = form.querySelector('button[name=status][aria-pressed="true"]');
    return button ? button.value : "";
  }

  function recount() {
    var totals = { unmarked: 0 };
    var forms = list.querySelectorAll("form[data-seat]");
    for (var i = 0; i < forms.length; i += 1) {
      var status = pressed(forms[i]) || "unmarked";
      totals[status] = (totals[status] || 0) + 1;
    }
    var cells = document.querySelectorAll("[data-count]");
    for (var j = 0; j < cells.length; j += 1) {
      cells[j].textContent = String(totals[cells[j].getAttribute("data-count")] || 0);
    }
    var waiting = Object.keys(queue).length;
    if (sync) { sync.textContent = waiting ? text("queue") + " " + waiting : text("all-saved"); }
  }

  function send(seat) {
    var mark = queue[seat];
    if (!mark || inflight[seat]) { return; }
    var form = formOf(seat);
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token ? token.value : "");
    body.append("seat", seat);
    body.append("status", mark.status);
    body.append("note", mark.note);
    inflight[seat] = true;
    say(form, text("saving"));
    fetch(list.getAttribute("data-mark-url"), {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        if (response.status === 400) {
          return response.json().then(function (data) { return { refused: data.error || "" }; });
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        if (data.refused === undefined && !data.ok) { throw new Error("unexpected answer"); }
        inflight[seat] = false;
        var current = queue[seat];
        if (current && current.at === mark.at) { delete queue[seat]; store(); }
        if (data.refused !== undefined) {
          say(form, data.refused);
        } else if (!queue[seat]) {
          say(form, text("saved").replace("%s", form ? labelOf(form, data.status) : data.status));
        }
        recount();
        if (queue[seat]) { send(seat); }
      })
      .catch(function () {
        inflight[seat] = false;
        say(form, text("waiting"));
        recount();
      });
  }

  function flush() {
    Object.keys(queue).forEach(send);
  }

  function enqueue(form, status) {
    var seat = form.getAttribute("data-seat");
    var note = form.querySelector("textarea[name=note]");
    queue[seat] = { status: status, note: note ? note.value : "", at: Date.now() };
    store();
    show(form, status);
    recount();
    send(seat);
  }

  list.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!button || button.name !== "status") { button = form.querySelector('button[name=status][aria-pressed="true"]'); }
    if (!button) { return; }
    event.preventDefault();
    enqueue(form, button.value);
  });

  list.addEventListener("change", function (event) {
    if (event.target.name !== "note") { return; }
    var form = event.target.form;
    var status = pressed(form);
    if (status) { enqueue(form, status); } else { say(form, text("need-status")); }
  });

  // Marks left from an earlier visit are newer than what the server sent: show and send them.
  Object.keys(queue).forEach(function (seat) {
    var form = formOf(seat);
    if (!form) { return; }
    show(form, queue[seat].status);
    var note = form.querySelector("textarea[name=note]");
    if (note) { note.value = queue[seat].note; }
    say(form, text("waiting"));
  });
  recount();
  flush();
  window.addEventListener("online", flush);
  window.setInterval(flush, 5000);
})();
