// The header's phone menu is a <details> that opens and closes without script; this adds what a
// menu button is expected to do as well: its state as aria-expanded, Escape closes it and gives the
// focus back to the button, and a click or focus elsewhere on the page closes it. An external file
// without a nonce, so pages that carry it can still be kept by the anonymous page cache.
(function () {
  var menu = document.querySelector("[data-site-menu]");
  if (!menu) { return; }
  var toggle = menu.querySelector("summary");
  function sync() { toggle.setAttribute("aria-expanded", menu.open ? "true" : "false"); }
  function close(refocus) {
    if (!menu.open) { return; }
    menu.open = false;
    if (refocus) { toggle.focus(); }
  }
  sync();
  menu.addEventListener("toggle", sync);
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      event.preventDefault();
      close(true);
    }
  });
  document.addEventListener("click", function (event) {
    if (!menu.contains(event.target)) { close(false); }
  });
  document.addEventListener("focusin", function (event) {
    if (!menu.contains(event.target)) { close(false); }
  });
})();
