// Campfire present view: an entry's page opened with ?present shows its
// slides (the page's <template id="deck-template">) in place of the page.
// Keys, swipe, the slide number in the URL hash,
// speaker notes, overview grid, full screen, a presenter window (current and
// next slide, notes, timer) kept in step with this one, and, when
// `campfire serve --room` serves the page, leading or following the room.
(function () {
  "use strict";
  var body = document.body;
  // This script's names for its strings, and their keys in strings.yaml.
  var DECK_KEYS = {
    following: "following", looking: "looking_around", unfollow: "unfollow", rejoin: "rejoin",
    "no-notes": "no_notes", end: "end_of_deck", slide: "slide", notes: "notes", elapsed: "elapsed",
    next: "next_slide", prev: "previous_slide", leave: "leave", overview: "overview",
    fullscreen: "fullscreen", presenter: "presenter_view", keys: "keys_help"
  };
  var deck = openDeck();
  if (!deck) return;
  var all = Array.prototype.slice.call(deck.querySelectorAll(".slide"));
  var params = new URLSearchParams(location.search);
  var presenterView = params.get("view") === "presenter";
  var followMode = params.has("follow");
  var t = deckString;
  var slides = all;
  var index = 0;
  var partner = null; // the other window (presenter view <-> main)
  var room = null; // { presenter, url, qr } when served with --room
  var following = followMode;
  var lastRoom = null; // last position the room was told

  // A term's lens slides: all departments, or the one the trainer chose.
  var lensSelect = document.getElementById("lens-choice");
  var lensNow = "";
  function applyLens(lens) {
    lensNow = lens || "";
    all.forEach(function (s) {
      var d = s.getAttribute("data-dept");
      if (d && lens && d !== lens) s.setAttribute("data-skip", "");
      else s.removeAttribute("data-skip");
    });
    slides = all.filter(function (s) { return !s.hasAttribute("data-skip"); });
    slides.forEach(function (s, i) {
      s.setAttribute("data-number", String(i + 1));
      s.classList.toggle("last-shown", i === slides.length - 1);
    });
    var total = document.querySelector(".count-total");
    if (total) total.textContent = String(slides.length);
    if (lensSelect) lensSelect.value = lens || "";
  }
  function currentLens() { return lensNow; }
  applyLens(params.get("lens") || "");
  if (lensSelect) {
    lensSelect.addEventListener("change", function () {
      setLens(lensSelect.value);
      tellRoom();
    });
  }
  function setLens(lens) {
    if (lens === currentLens()) return;
    applyLens(lens);
    var p = new URLSearchParams(location.search);
    if (lens) p.set("lens", lens); else p.delete("lens");
    var q = p.toString();
    history.replaceState(null, "", location.pathname + (q ? "?" + q : "") + location.hash);
    show(Math.min(index, slides.length - 1));
  }

  function fromHash() {
    var n = parseInt(location.hash.slice(1), 10);
    return isNaN(n) ? 0 : Math.max(0, Math.min(slides.length - 1, n - 1));
  }

  // Shrinks a slide's type until its content fits (long paragraphs).
  function fit(slide) {
    var inner = slide.querySelector(".slide-inner");
    if (!inner || !slide.offsetWidth) return;
    var f = 1;
    inner.style.setProperty("--fit", "1");
    while (inner.scrollHeight > inner.clientHeight + 1 && f > 0.5) {
      f -= 0.05;
      inner.style.setProperty("--fit", f.toFixed(2));
    }
  }

  var notesPanel = document.querySelector(".notes-panel");
  var notesBody = notesPanel && notesPanel.querySelector(".notes-body");
  var nextBox = document.querySelector(".presenter-next");
  var counter = document.querySelector(".count-current");

  function show(i) {
    index = Math.max(0, Math.min(slides.length - 1, i));
    all.forEach(function (s) { s.classList.remove("current", "next"); });
    var slide = slides[index];
    if (!slide) return;
    slide.classList.add("current");
    if (counter) counter.textContent = String(index + 1);
    if (location.hash !== "#" + (index + 1)) history.replaceState(null, "", "#" + (index + 1));
    if (notesBody) {
      var notes = slide.querySelector(".notes");
      notesBody.innerHTML = notes ? notes.innerHTML : "<p>" + escapeText(t("no-notes")) + "</p>";
    }
    if (nextBox) {
      nextBox.innerHTML = "";
      var next = slides[index + 1];
      if (next) {
        var copy = next.cloneNode(true);
        copy.classList.add("current");
        copy.removeAttribute("aria-label");
        copy.setAttribute("aria-hidden", "true");
        var n = copy.querySelector(".notes");
        if (n) n.remove();
        nextBox.appendChild(copy);
        fit(copy);
      } else {
        nextBox.innerHTML = "<p class=\"end\">" + escapeText(t("end")) + "</p>";
      }
    }
    fit(slide);
  }

  // Text for HTML, in an element or in a quoted attribute.
  function escapeText(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // A move made here (keys, buttons, swipe): shown, told to the other
  // window and, for the presenter, to the room. A follower who moves on
  // their own stops following until they rejoin.
  function go(i) {
    if (followMode && following) setFollowing(false);
    show(i);
    tellPartner();
    tellRoom();
  }
  function next() { go(index + 1); }
  function prev() { go(index - 1); }

  function tellPartner() {
    if (partner && !partner.closed) {
      try { partner.postMessage({ campfire: "slide", n: index + 1, lens: currentLens() }, "*"); } catch (e) { /* closed */ }
    }
  }
  window.addEventListener("message", function (ev) {
    var d = ev.data;
    if (!d || d.campfire !== "slide" || (ev.source !== partner && ev.source !== window.opener)) return;
    if (!partner) partner = ev.source;
    if ((d.lens || "") !== currentLens()) setLens(d.lens || "");
    show(d.n - 1);
    tellRoom();
  });
  if (window.opener && presenterView) {
    partner = window.opener;
  }

  function toggleNotes(on) {
    if (followMode) return; // the audience never sees the notes
    var shown = on === undefined ? !body.classList.contains("show-notes") : on;
    body.classList.toggle("show-notes", shown);
    if (notesPanel) notesPanel.hidden = !shown;
    press("notes", shown);
    show(index);
  }
  function toggleOverview(on) {
    var shown = on === undefined ? !body.classList.contains("overview") : on;
    body.classList.toggle("overview", shown);
    press("overview", shown);
    if (shown) {
      slides.forEach(fit);
      var cur = slides[index];
      if (cur && cur.scrollIntoView) cur.scrollIntoView({ block: "nearest" });
    } else {
      show(index);
    }
  }
  function press(action, on) {
    var b = document.querySelector('[data-action="' + action + '"]');
    if (b) b.setAttribute("aria-pressed", on ? "true" : "false");
  }
  function fullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () {});
  }
  function openPresenter() {
    if (followMode) return;
    var p = new URLSearchParams(location.search);
    p.set("view", "presenter");
    partner = window.open(location.pathname + "?" + p.toString() + "#" + (index + 1), "campfire-presenter");
  }
  function leave() {
    location.href = body.getAttribute("data-entry") || "index.html";
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = (e.target && e.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    var k = e.key;
    if (k === "ArrowRight" || k === " " || k === "PageDown" || (k === "Enter" && !/^(A|BUTTON)$/.test(tag))) {
      e.preventDefault(); next();
    } else if (k === "ArrowLeft" || k === "PageUp") {
      e.preventDefault(); prev();
    } else if (k === "Home") {
      e.preventDefault(); go(0);
    } else if (k === "End") {
      e.preventDefault(); go(slides.length - 1);
    } else if (k === "f" || k === "F") {
      fullscreen();
    } else if (k === "n" || k === "N") {
      toggleNotes();
    } else if (k === "o" || k === "O") {
      toggleOverview();
    } else if (k === "p" || k === "P") {
      openPresenter();
    } else if ((k === "r" || k === "R") && followMode) {
      setFollowing(true);
    } else if (k === "Escape") {
      if (body.classList.contains("overview")) toggleOverview(false);
      else if (!presenterView) leave();
    }
  });

  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-action]");
    if (b) {
      var a = b.getAttribute("data-action");
      if (a === "next") next();
      else if (a === "prev") prev();
      else if (a === "notes") toggleNotes();
      else if (a === "overview") toggleOverview();
      else if (a === "fullscreen") fullscreen();
      else if (a === "presenter") openPresenter();
      else if (a === "follow") setFollowing(!following);
      else if (a === "timer-reset") resetTimer();
      return;
    }
    if (body.classList.contains("overview")) {
      var s = e.target.closest && e.target.closest(".slide");
      if (s && slides.indexOf(s) >= 0) {
        toggleOverview(false);
        go(slides.indexOf(s));
      }
    }
  });

  // Swipe left for the next slide, right for the previous one.
  var touch = null;
  deck.addEventListener("touchstart", function (e) {
    if (e.touches.length === 1) touch = { x: e.touches[0].clientX, y: e.touches[0].clientY };
  }, { passive: true });
  deck.addEventListener("touchend", function (e) {
    if (!touch || body.classList.contains("overview")) return;
    var dx = e.changedTouches[0].clientX - touch.x;
    var dy = e.changedTouches[0].clientY - touch.y;
    touch = null;
    if (Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy) * 1.5) {
      if (dx < 0) next(); else prev();
    }
  }, { passive: true });

  window.addEventListener("hashchange", function () { go(fromHash()); });
  window.addEventListener("resize", function () { show(index); });

  // The presenter view's clock.
  var timerEl = document.querySelector(".timer");
  var started = Date.now();
  function resetTimer() { started = Date.now(); tick(); }
  function tick() {
    if (!timerEl) return;
    var s = Math.floor((Date.now() - started) / 1000);
    var m = Math.floor(s / 60);
    var h = Math.floor(m / 60);
    timerEl.textContent = (h ? h + ":" + String(m % 60).padStart(2, "0") : String(m)) + ":" + String(s % 60).padStart(2, "0");
  }
  if (presenterView) {
    body.classList.add("presenter-view");
    var panel = document.querySelector(".presenter-panel");
    if (panel) panel.hidden = false;
    if (notesPanel) notesPanel.hidden = false;
    press("presenter", true);
    setInterval(tick, 1000);
  }

  // The room (campfire serve --room): only when this server says so.
  function served() {
    return location.protocol.indexOf("http") === 0 &&
      !!document.querySelector('script[src^="/__campfire/"]');
  }
  function tellRoom() {
    if (!room || !room.presenter) return;
    var state = { deck: body.getAttribute("data-deck"), slide: index + 1, lens: currentLens() };
    if (lastRoom && lastRoom.deck === state.deck && lastRoom.slide === state.slide && lastRoom.lens === state.lens) return;
    lastRoom = state;
    var q = "deck=" + encodeURIComponent(state.deck) + "&slide=" + state.slide + "&lens=" + encodeURIComponent(state.lens);
    fetch("/__campfire/room/go?" + q, { method: "POST", credentials: "same-origin", cache: "no-store" }).catch(function () {});
  }
  var followBar = document.querySelector(".follow-bar");
  var roomState = null;
  function setFollowing(on) {
    following = on;
    if (followBar) {
      followBar.classList.toggle("following", on);
      followBar.querySelector(".follow-state").textContent = on ? t("following") : t("looking");
      followBar.querySelector("button").textContent = on ? t("unfollow") : t("rejoin") + " (r)";
    }
    if (on && roomState) follow(roomState);
  }
  function follow(state) {
    roomState = state;
    if (!following || !state.deck) return;
    if (state.deck !== body.getAttribute("data-deck")) {
      location.href = "/" + state.deck + "?present&follow" + (state.lens ? "&lens=" + encodeURIComponent(state.lens) : "") + "#" + state.slide;
      return;
    }
    if ((state.lens || "") !== currentLens()) setLens(state.lens || "");
    show(state.slide - 1);
  }
  function joinRoom() {
    var join = document.querySelector(".room-join");
    if (join && room.url) {
      join.querySelector(".room-url").textContent = room.url;
      join.querySelector(".room-qr").src = "/__campfire/room/qr.svg";
      join.hidden = false;
    }
    if (room.presenter && !presenterView) tellRoom();
    if (followMode) {
      if (followBar) followBar.hidden = false;
      press("notes", false);
      document.querySelectorAll('[data-action="notes"],[data-action="presenter"]').forEach(function (b) { b.hidden = true; });
      setFollowing(true);
      var events = new EventSource("/__campfire/room/events");
      events.onmessage = function (ev) {
        var state;
        try { state = JSON.parse(ev.data); } catch (e) { return; }
        if (state && state.type === "room") follow(state);
      };
    }
  }

  show(fromHash());
  // Slides are fitted to their text once their style has loaded.
  var deckStyle = document.querySelector('link[href$="assets/present.css"]');
  if (deckStyle) deckStyle.addEventListener("load", function () { show(index); });
  if (served()) {
    fetch("/__campfire/room/state", { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) return;
        room = state;
        joinRoom();
      })
      .catch(function () {});
  }
  body.setAttribute("data-ready", "true");

  // Puts the slides in the page's place (see render/pages/present.rs):
  // slides of the page's own body point at its top-level elements by
  // their place (data-block, data-blocks), which are moved into them.
  // Returns the deck, or null when the page is read, not presented.
  function openDeck() {
    var tpl = document.getElementById("deck-template");
    // The page's head said whether it is opened as slides (base.html).
    if (!tpl || !document.documentElement.classList.contains("presenting")) return null;
    var prose = document.querySelector("main .prose");
    var blocks = prose ? Array.prototype.filter.call(prose.childNodes, function (n) {
      return n.nodeType === 1 || (n.nodeType === 3 && n.textContent.trim() !== "");
    }) : [];
    var expected = tpl.getAttribute("data-blocks");
    var pointing = expected !== null && String(blocks.length) === expected;
    if (expected !== null && !pointing) {
      console.error("campfire: the page's body has " + blocks.length + " blocks, its slides expect " + expected);
    }
    var content = tpl.content.cloneNode(true);
    function block(i) { return (pointing && blocks[Number(i)]) || null; }
    Array.prototype.forEach.call(content.querySelectorAll("h2[data-block]"), function (h) {
      var heading = block(h.getAttribute("data-block"));
      if (heading) {
        while (heading.firstChild) h.appendChild(heading.firstChild);
        var anchor = h.querySelector(".anchor");
        if (anchor) anchor.remove();
      }
      h.removeAttribute("data-block");
    });
    Array.prototype.forEach.call(content.querySelectorAll("[data-block]"), function (box) {
      var n = block(box.getAttribute("data-block"));
      if (n) box.appendChild(n);
      box.removeAttribute("data-block");
    });
    Array.prototype.forEach.call(content.querySelectorAll("[data-blocks]"), function (box) {
      box.getAttribute("data-blocks").split(" ").forEach(function (i) {
        var n = block(i);
        if (n) {
          if (box.lastChild) box.appendChild(document.createTextNode("\n"));
          box.appendChild(n);
        }
      });
      box.removeAttribute("data-blocks");
    });
    // The page goes; the deck's address (and the strings a site's own
    // deck.html may put on the template) stay on <body>.
    Array.prototype.forEach.call(tpl.attributes, function (a) {
      if (a.name.indexOf("data-") === 0 && a.name !== "data-blocks" && a.name !== "data-title") body.setAttribute(a.name, a.value);
    });
    document.title = tpl.getAttribute("data-title") || document.title;
    Array.prototype.slice.call(body.childNodes).forEach(function (n) {
      if (!(n.nodeType === 1 && n.tagName === "SCRIPT")) n.remove();
    });
    body.className = "present";
    body.insertBefore(content, body.firstChild);
    Array.prototype.forEach.call(body.querySelectorAll("#deck > .slide"), function (s, i) {
      s.setAttribute("aria-roledescription", "slide");
      s.setAttribute("aria-label", deckString("slide") + " " + (i + 1));
    });
    var deckMain = document.getElementById("deck");
    if (deckMain) deckMain.insertAdjacentHTML("afterend", chrome(deckMain.querySelectorAll(".slide").length));
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = (body.getAttribute("data-root") || "") + "assets/present.css";
    var shown = function () { document.documentElement.classList.add("presented"); };
    style.onload = shown;
    style.onerror = shown;
    document.head.appendChild(style);
    return document.getElementById("deck");
  }

  // A string of the page's language: from its strings script
  // (assets/strings-LANG.js, layouts/strings.yaml's key), or from the
  // deck's template (data-t-KEY) where a site's own deck.html puts it.
  function deckString(k) {
    var all = window.campfireStrings || {};
    return all[DECK_KEYS[k]] || body.getAttribute("data-t-" + k) || "";
  }

  // The controls around the slides, in the page's language: the same on
  // every page, so made here rather than written into each.
  function chrome(total) {
    var e = function (k) { return escapeText(deckString(k)); };
    return '<div class="presenter-panel" hidden>' +
      '<p class="presenter-clock"><span>' + e("elapsed") + '</span> <strong class="timer">0:00</strong> ' +
      '<button type="button" class="timer-reset" data-action="timer-reset" aria-label="' + e("elapsed") + ': 0:00" title="0:00">↺</button></p>' +
      '<h2 class="presenter-next-label">' + e("next") + '</h2><div class="presenter-next"></div></div>' +
      '<section class="notes-panel" aria-label="' + e("notes") + '" hidden><h2>' + e("notes") + '</h2><div class="notes-body"></div></section>' +
      '<div class="follow-bar" hidden><span class="follow-state" aria-live="polite"></span> <button type="button" data-action="follow"></button></div>' +
      '<nav class="present-bar no-print" aria-label="' + e("slide") + '">' +
      '<a class="bar-leave" href="index.html" title="' + e("leave") + ' (Esc)"><span aria-hidden="true">✕</span> ' + e("leave") + '</a> ' +
      '<button type="button" data-action="prev" title="' + e("prev") + ' (←)"><span aria-hidden="true">←</span><span class="visually-hidden">' + e("prev") + '</span></button> ' +
      '<span class="counter"><span class="visually-hidden">' + e("slide") + ' </span><span class="count-current">1</span> / <span class="count-total">' + total + '</span></span> ' +
      '<button type="button" data-action="next" title="' + e("next") + ' (→)"><span aria-hidden="true">→</span><span class="visually-hidden">' + e("next") + '</span></button> ' +
      '<span class="bar-tools">' +
      '<button type="button" data-action="notes" title="n">' + e("notes") + '</button> ' +
      '<button type="button" data-action="overview" title="o">' + e("overview") + '</button> ' +
      '<button type="button" data-action="fullscreen" title="f">' + e("fullscreen") + '</button> ' +
      '<button type="button" data-action="presenter" title="p">' + e("presenter") + '</button>' +
      '</span> <span class="bar-help">' + e("keys") + '</span></nav>';
  }
})();
