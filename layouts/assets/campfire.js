// Campfire theme behaviour: story filters, glossary tooltips, path context,
// print button and handout options.
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

  // Glossary tooltips (WCAG 1.4.13): shown on hover and focus, kept while
  // the pointer is over them, dismissed with Escape, kept inside the
  // viewport. On touch screens a first tap shows the definition and a
  // second tap on the term follows the link.
  var MARGIN = 8;
  var place = function (ref) {
    var tip = ref.querySelector(".term-tip");
    if (!tip) return;
    tip.style.left = "";
    ref.classList.remove("tip-below");
    var r = tip.getBoundingClientRect();
    if (!r.width) return;
    var room = document.documentElement.clientWidth - MARGIN;
    var shift = 0;
    if (r.right > room) shift = room - r.right;
    if (r.left + shift < MARGIN) shift = MARGIN - r.left;
    if (shift) tip.style.left = shift + "px";
    if (r.top < MARGIN) ref.classList.add("tip-below");
  };
  var closeTips = function (except) {
    document.querySelectorAll(".term-ref.tip-open").forEach(function (r) {
      if (r !== except) r.classList.remove("tip-open");
    });
  };
  document.addEventListener("mouseover", function (e) {
    var r = e.target.closest && e.target.closest(".term-ref");
    if (r && !r.contains(e.relatedTarget)) place(r);
  });
  document.addEventListener("focusin", function (e) {
    var r = e.target.closest && e.target.closest(".term-ref");
    if (r) place(r);
  });
  var touch = false;
  document.addEventListener("pointerdown", function (e) {
    touch = e.pointerType === "touch" || e.pointerType === "pen";
  }, true);
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest(".term-link");
    var ref = link && link.closest(".term-ref");
    if (!ref || !touch) {
      if (!(e.target.closest && e.target.closest(".term-tip"))) closeTips(null);
      return;
    }
    if (!ref.querySelector(".term-tip")) return;
    if (ref.classList.contains("tip-open")) return; // second tap: follow the link
    e.preventDefault();
    closeTips(ref);
    ref.classList.remove("tip-dismissed");
    ref.classList.add("tip-open");
    place(ref);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    closeTips(null);
    document.querySelectorAll(".term-ref:hover, .term-ref:focus-within").forEach(function (r) {
      r.classList.add("tip-dismissed");
    });
  });
  document.addEventListener("mouseout", function (e) {
    var r = e.target.closest && e.target.closest(".term-ref");
    if (r && !r.contains(e.relatedTarget)) r.classList.remove("tip-dismissed");
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

  // Path context: the previous/next bar of the path the reader came from
  // (?path=slug) replaces the one-line "Part of" list.
  var fromPath = new URLSearchParams(location.search).get("path");
  if (fromPath) {
    document.querySelectorAll(".path-nav[data-path]").forEach(function (n) {
      if (n.getAttribute("data-path") !== fromPath) return;
      n.hidden = false;
      var partOf = document.querySelector(".path-part-of");
      if (partOf) partOf.hidden = true;
    });
  }

  // Handouts: the trainer version shows the sections marked for trainers.
  var trainer = document.getElementById("trainer-notes");
  if (trainer) {
    var option = trainer.closest("[hidden]");
    if (option) option.hidden = false;
    var sync = function () { document.body.classList.toggle("with-trainer-notes", trainer.checked); };
    trainer.addEventListener("change", sync);
    sync();
  }

  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
