// Subsidy pages: the running total of the services ticked in the claim table (before caps; the
// saved draft shows the full arithmetic), and the statement's Print button.
(function () {
  "use strict";

  function fen(text) {
    var parts = String(text || "0").split(".");
    var whole = parseInt(parts[0], 10) || 0;
    var cents = parseInt(((parts[1] || "") + "00").slice(0, 2), 10) || 0;
    return whole * 100 + cents;
  }

  function yuan(totalFen) {
    var whole = Math.floor(totalFen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = ("0" + (totalFen % 100)).slice(-2);
    return whole + "." + cents;
  }

  function setUpSelection() {
    var output = document.getElementById("selection");
    var form = document.getElementById("lines-form");
    if (!output || !form) return;
    function update() {
      var boxes = form.querySelectorAll("input[name=records]:checked");
      var total = 0;
      boxes.forEach(function (box) { total += fen(box.getAttribute("data-subsidy")); });
      var amount = output.getAttribute("data-yuan").replace("{amount}", yuan(total));
      output.textContent = output.getAttribute("data-pattern")
        .replace("{count}", String(boxes.length)).replace("{amount}", amount);
    }
    form.addEventListener("change", update);
    update();
  }

  function setUpPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpSelection();
    setUpPrint();
  });
})();
