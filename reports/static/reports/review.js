// The duplicate-purchase review record: its Print button prints the page (the print stylesheet
// leaves out the navigation and the buttons).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
