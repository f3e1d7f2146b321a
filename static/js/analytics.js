// Loaded only for visitors who agreed to analytics: reports the screen size of this visit.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta || !window.fetch) { return; }
  var body = new URLSearchParams();
  body.set("screen", window.screen.width + "x" + window.screen.height);
  fetch("/analytics/screen", {
    method: "POST",
    headers: { "X-CSRFToken": meta.content },
    body: body,
    credentials: "same-origin",
  });
})();
