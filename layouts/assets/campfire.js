// Campfire theme behaviour: story filters, tooltip dismissal, print button.
// Everything works without this script; it only adds conveniences.
(function () {
  "use strict";

  // Story list filters: each select narrows the cards by a data attribute.
  var form = document.getElementById("story-filters");
  var list = document.getElementById("story-list");
  if (form && form.hasAttribute("data-navigate")) {
    // A list of many pages: a filter opens the chosen item's own page
    // (every matching story, paginated too) instead of hiding cards here.
    form.hidden = false;
    form.addEventListener("change", function (e) {
      var o = e.target.options && e.target.options[e.target.selectedIndex];
      if (o && o.dataset.href) location.href = o.dataset.href;
    });
  } else if (form && list) {
    form.hidden = false;
    var cards = Array.prototype.slice.call(list.querySelectorAll(".card"));
    var status = form.querySelector(".filter-status");
    var params = new URLSearchParams(location.search);
    form.querySelectorAll("select").forEach(function (s) {
      if (params.get(s.name)) s.value = params.get(s.name);
    });
    var apply = function () {
      var wanted = {};
      form.querySelectorAll("select").forEach(function (s) { if (s.value) wanted[s.name] = s.value; });
      var shown = 0;
      cards.forEach(function (c) {
        var ok = Object.keys(wanted).every(function (k) {
          return (" " + (c.getAttribute("data-" + k) || "") + " ").indexOf(" " + wanted[k] + " ") !== -1;
        });
        c.hidden = !ok;
        if (ok) shown++;
      });
      if (status) {
        status.textContent = shown === 0 ? status.dataset.none
          : status.dataset.showing + " " + shown + " " + status.dataset.of + " " + cards.length;
      }
      var q = new URLSearchParams(wanted).toString();
      if (history.replaceState && location.protocol !== "file:") history.replaceState(null, "", q ? "?" + q : location.pathname);
    };
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    apply();
  }

  // Escape hides an open glossary tooltip (WCAG 1.4.13: dismissable).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    document.querySelectorAll(".term-ref:hover, .term-ref:focus-within").forEach(function (r) {
      r.classList.add("tip-dismissed");
    });
  });
  document.addEventListener("mouseout", function (e) {
    var r = e.target.closest && e.target.closest(".term-ref");
    if (r) r.classList.remove("tip-dismissed");
  });
  document.addEventListener("focusout", function (e) {
    var r = e.target.closest && e.target.closest(".term-ref");
    if (r) r.classList.remove("tip-dismissed");
  });

  // Recognition walls: a screen mode for an office display (#screen in
  // the address opens it directly); Escape leaves it.
  var screenButton = document.querySelector("[data-screen]");
  if (screenButton) {
    screenButton.hidden = false;
    var enter = function () {
      document.body.classList.add("screen");
      if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () {});
    };
    screenButton.addEventListener("click", enter);
    if (location.hash === "#screen") document.body.classList.add("screen");
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") document.body.classList.remove("screen");
    });
    document.addEventListener("fullscreenchange", function () {
      if (!document.fullscreenElement) document.body.classList.remove("screen");
    });
  }

  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
