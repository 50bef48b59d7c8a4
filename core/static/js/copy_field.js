// Copy buttons: a button with data-copy="<input id>" copies that input's value. Without
// JavaScript the button stays hidden and the read-only field can be selected and copied.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    var status = document.getElementById("copy-status");
    function say(text) { if (status) { status.textContent = text; } }
    field.addEventListener("focus", function () { field.select(); });
    button.hidden = false;
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(
          function () { say(button.getAttribute("data-copied")); },
          function () { say(button.getAttribute("data-failed")); }
        );
        return;
      }
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      say(button.getAttribute(copied ? "data-copied" : "data-failed"));
    });
  });
}());
