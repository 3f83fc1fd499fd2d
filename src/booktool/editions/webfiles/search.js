/* booktool's search for the web edition: reads window.BOOKTOOL_SEARCH (search-index.js) and
   lists the sections that hold every word of the query. No network, no eval, no cookies. */
(function () {
  "use strict";
  var data = window.BOOKTOOL_SEARCH;
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var field = document.getElementById("search-q");
  if (!data || !list || !status) { return; }
  function words(text) {
    var plain = text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    return (plain.match(/[\p{L}\p{N}_]+/gu) || []).filter(function (w) {
      return w.length > 1 || /^[0-9]$/.test(w);
    });
  }
  function sectionsFor(word) {
    var found = {};
    Object.keys(data.words).forEach(function (key) {
      if (key === word || (word.length > 2 && key.indexOf(word) === 0)) {
        data.words[key].forEach(function (n) { found[n] = true; });
      }
    });
    return found;
  }
  var query = new URLSearchParams(window.location.search).get("q") || "";
  if (field) { field.value = query; }
  var wanted = words(query);
  if (!wanted.length) { status.textContent = status.getAttribute("data-empty"); return; }
  var hits = null;
  wanted.forEach(function (word) {
    var found = sectionsFor(word);
    hits = hits === null ? found : Object.keys(hits).reduce(function (kept, n) {
      if (found[n]) { kept[n] = true; }
      return kept;
    }, {});
  });
  var numbers = Object.keys(hits || {}).map(Number).sort(function (a, b) { return a - b; });
  /* The words are the book's (data-found-one, -few, -other ...: CLDR's plural categories). */
  var category = new Intl.PluralRules(document.documentElement.lang || "en").select(numbers.length);
  var found = status.getAttribute("data-found-" + category) || status.getAttribute("data-found-other");
  status.textContent = found.split("{count}").join(String(numbers.length));
  numbers.forEach(function (n) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = data.sections[n][0];
    link.textContent = data.sections[n][1];
    item.appendChild(link);
    list.appendChild(item);
  });
}());
