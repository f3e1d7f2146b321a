// Staff newsletter page: follows a running send by polling its JSON progress.
(function () {
  "use strict";
  var section = document.getElementById("send-progress");
  if (!section || !window.fetch) { return; }
  var url = section.getAttribute("data-progress-url");
  var bar = document.getElementById("progress-bar");

  function show(p) {
    bar.max = Math.max(p.total, 1);
    bar.value = p.sent + p.failed;
    bar.textContent = p.percent + "%";
    document.getElementById("progress-percent").textContent = p.percent + "%";
    document.getElementById("progress-total").textContent = p.total;
    document.getElementById("progress-sent").textContent = p.sent;
    document.getElementById("progress-failed").textContent = p.failed;
    document.getElementById("progress-remaining").textContent = p.remaining;
    section.setAttribute("data-finished", p.finished ? "true" : "false");
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        show(p);
        if (!p.finished) { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  if (section.getAttribute("data-finished") !== "true") { window.setTimeout(poll, 1000); }
})();
