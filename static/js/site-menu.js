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
  // A desktop shows the links in the header row; where CSS cannot show a closed <details>' content
  // (no ::details-content), it starts open instead.
  var desktop = window.matchMedia("(min-width: 760px)");
  var styled = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (!styled && desktop.matches) { menu.open = true; }
  sync();
  menu.addEventListener("toggle", sync);
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      event.preventDefault();
      close(true);
    }
  });
  function elsewhere(event) {
    if (!menu.contains(event.target) && !(desktop.matches && !styled)) { close(false); }
  }
  document.addEventListener("click", elsewhere);
  document.addEventListener("focusin", elsewhere);
})();
