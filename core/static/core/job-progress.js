// Polls a background job's status URL (data-status-url on #import-running) and moves the bar;
// reloads the page when the job is no longer running. One script for every job page, so pages
// carry no inline script (the content security policy allows none without a nonce).
(function () {
  var box = document.querySelector("[data-job-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-job-status-url");
  var bar = box.querySelector("progress");
  function text(id, value) {
    var node = document.getElementById(id);
    if (node) { node.textContent = value; }
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (bar) { bar.value = state.percent; }
        text("import-processed", state.processed_rows);
        text("import-total", state.total_rows);
        text("import-status", state.status_label);
        if (state.running) { setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
