// Asks before a button marked data-confirm submits its form (dismissing a quarantine entry).
// Everything works without this file; it only adds a second chance.
"use strict";
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
