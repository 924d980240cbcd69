// A unit chosen by name (see members/widgets.py; the join page, the catalogue's owner-unit filter):
// a search box before the unit select looks units up by name in the units API
// (GET /api/v1/units/?q=) and offers them in a <datalist>; choosing one puts it in the select, so
// the form sends its id; English pages name units in English where they have an English name.
// Without scripts the select still shows the chosen and the offered units (the join page offers a
// search's results; a unit's profile links to its instruments).
(function () {
  "use strict";

  function enhance(select) {
    var url = select.getAttribute("data-unit-search");
    var input = document.createElement("input");
    var list = document.createElement("datalist");
    var found = {}; // unit name -> id, from the last answers
    var english = /^en/i.test(document.documentElement.lang || "");
    var timer = null;
    var asked = "";
    input.type = "search";
    input.id = select.id + "-search";
    input.setAttribute("list", select.id + "-choices");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-label", select.getAttribute("data-search-label") || "");
    input.placeholder = select.getAttribute("data-search-placeholder") || "";
    input.className = "unit-search";
    list.id = select.id + "-choices";
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(list, select);
    var fallback = document.getElementById(select.getAttribute("data-search-fallback") || "");
    if (fallback) { fallback.hidden = true; } // this box replaces the search form made for no scripts

    function choose(id, name) {
      var option = select.querySelector('option[value="' + id + '"]');
      if (!option) {
        option = document.createElement("option");
        option.value = String(id);
        option.textContent = name;
        select.appendChild(option);
      }
      option.selected = true;
    }

    function offer(units) {
      list.textContent = "";
      units.forEach(function (unit) {
        var name = (english && unit.name_en) || unit.name;
        found[name] = unit.id;
        var option = document.createElement("option");
        option.value = name;
        list.appendChild(option);
      });
    }

    function lookUp() {
      var words = input.value.trim();
      if (!words || words === asked) { return; }
      asked = words;
      fetch(url + "?q=" + encodeURIComponent(words), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (page) { if (input.value.trim() === words) { offer(page.results || []); } })
        .catch(function () { /* no suggestions; the select keeps its value */ });
    }

    input.addEventListener("input", function () {
      var name = input.value.trim();
      if (Object.prototype.hasOwnProperty.call(found, name)) {
        choose(found[name], name);
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 200);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-unit-search]").forEach(enhance);
  });
})();
