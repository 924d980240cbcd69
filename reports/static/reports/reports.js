// Report pages: the Print button, and while a run is computed, its progress polled every second
// from data-report-progress-url; the page reloads to show the result once the run has finished.
// A file of this origin with no inline handlers, as the content security policy requires.
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // The numbers under each chart are printed too: open the closed tables for the printout.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (node) { node.open = true; opened.push(node); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (node) { node.open = false; });
    opened = [];
  });
  var box = document.querySelector("[data-report-progress-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-report-progress-url");
  var bar = document.getElementById("run-progress");
  function text(id, value) {
    var node = document.getElementById(id);
    if (node && value !== undefined && value !== null) { node.textContent = value; }
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (bar) { bar.value = state.percent; bar.textContent = state.percent + "%"; }
        text("run-percent", state.percent + "%");
        text("run-status", state.status_label);
        if (state.running) { setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
