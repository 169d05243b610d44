// Campfire live reload. Injected by `campfire serve` into HTML responses only;
// never written to the built site.
(function () {
  'use strict';
  if (window.__campfireLiveReload) return;
  window.__campfireLiveReload = true;

  var me = document.currentScript;
  var data = (me && me.dataset) || {};
  var session = data.session || '';
  var build = data.build || '0';
  var servedAs = data.page || null; // e.g. "404.html" when this is the not-found page
  var SCROLL_KEY = 'campfire:scroll';
  var OVERLAY_ID = 'campfire-error-overlay';

  // ---- keys: "stories/x/" and "/stories/x/index.html" both mean stories/x/index.html
  function key(path) {
    try { path = decodeURIComponent(path); } catch (e) { /* keep as is */ }
    path = path.replace(/^\.?\/+/, '');
    if (path === '' || path.charAt(path.length - 1) === '/') path += 'index.html';
    return path;
  }
  function urlKey(href) {
    try {
      var url = new URL(href, location.href);
      return url.origin === location.origin ? key(url.pathname) : null;
    } catch (e) { return null; }
  }
  function pageKeys() {
    var keys = [key(location.pathname)];
    if (servedAs) keys.push(key(servedAs));
    return keys;
  }
  // Files this page uses directly (scripts, images, icons, media).
  function usedKeys() {
    var used = {};
    var els = document.querySelectorAll('script[src],img[src],source[src],video[src],audio[src],' +
      'track[src],iframe[src],embed[src],object[data],link[href],img[srcset],source[srcset]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var refs = [el.getAttribute('src'), el.getAttribute('data'), el.getAttribute('href')];
      var srcset = el.getAttribute('srcset');
      if (srcset) srcset.split(',').forEach(function (c) { refs.push(c.trim().split(/\s+/)[0]); });
      refs.forEach(function (r) { var k = r && urlKey(r); if (k) used[k] = true; });
    }
    return used;
  }

  // ---- scroll position survives our reloads
  function reload() {
    try {
      sessionStorage.setItem(SCROLL_KEY, JSON.stringify({
        path: location.pathname, x: window.scrollX, y: window.scrollY
      }));
    } catch (e) { /* private mode */ }
    location.reload();
  }
  function restoreScroll() {
    var saved;
    try {
      saved = JSON.parse(sessionStorage.getItem(SCROLL_KEY) || 'null');
      sessionStorage.removeItem(SCROLL_KEY);
    } catch (e) { return; }
    if (!saved || saved.path !== location.pathname) return;
    var go = function () { window.scrollTo(saved.x, saved.y); };
    go();
    window.addEventListener('load', go, { once: true });
  }

  // ---- stylesheets swap in place, with a cache-busting query
  function swapCss(changed) {
    var links = Array.prototype.slice.call(document.querySelectorAll('link[rel~="stylesheet"][href]'));
    var hit = links.filter(function (l) { return changed.indexOf(urlKey(l.href)) >= 0; });
    // Nothing matched: an @import-ed file changed; refresh every local sheet.
    if (!hit.length) hit = links.filter(function (l) { return urlKey(l.href) !== null; });
    hit.forEach(function (link) {
      var url = new URL(link.href, location.href);
      url.searchParams.set('campfire', String(Date.now()));
      var next = link.cloneNode(false);
      next.href = url.href;
      var done = function () { if (link.parentNode) link.parentNode.removeChild(link); };
      next.addEventListener('load', done);
      next.addEventListener('error', done);
      link.parentNode.insertBefore(next, link.nextSibling);
    });
  }

  function onChange(msg) {
    if (msg.all) return reload();
    var changed = (msg.changed || []).map(key);
    var here = pageKeys();
    var used = null;
    var css = [];
    for (var i = 0; i < changed.length; i++) {
      var k = changed[i];
      if (here.indexOf(k) >= 0) return reload();
      if (/\.css$/i.test(k)) { css.push(k); continue; }
      if (/\.html?$/i.test(k)) continue; // another page
      used = used || usedKeys();
      if (used[k]) return reload();
    }
    if (css.length) swapCss(css);
  }

  // ---- error overlay (text only, never HTML from the message)
  function hideError() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) old.parentNode.removeChild(old);
  }
  function showError(message) {
    hideError();
    var host = document.createElement('div');
    host.id = OVERLAY_ID;
    var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
    var style = document.createElement('style');
    style.textContent =
      '.panel{position:fixed;z-index:2147483647;left:1rem;right:1rem;bottom:1rem;max-height:60vh;' +
      'overflow:auto;box-sizing:border-box;padding:1rem 1.25rem;border-radius:8px;border-left:6px solid #e5484d;' +
      'background:#1c1c1f;color:#ededef;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;' +
      'box-shadow:0 10px 30px rgba(0,0,0,.45);text-align:left}' +
      'h2{margin:0 2.5rem .5rem 0;font:600 15px/1.4 system-ui,sans-serif;color:#ff9592}' +
      'p{margin:.75rem 0 0;font:13px/1.4 system-ui,sans-serif;color:#b4b4b8}' +
      'ul{margin:0;padding:0;list-style:none}li{padding:.35rem 0;border-top:1px solid #333;white-space:pre-wrap;word-break:break-word}' +
      'li:first-child{border-top:0}b{color:#ffca16;font-weight:600}' +
      'details{margin-top:.5rem;color:#b4b4b8}summary{cursor:pointer;font:13px/1.4 system-ui,sans-serif}' +
      'button{position:absolute;top:.5rem;right:.5rem;background:none;border:0;color:#ededef;font:22px/1 sans-serif;' +
      'cursor:pointer;padding:.25rem .5rem;border-radius:4px}button:focus-visible{outline:2px solid #ffca16}';
    var panel = document.createElement('section');
    panel.className = 'panel';
    panel.setAttribute('role', 'alert');
    panel.setAttribute('aria-label', 'Campfire build error');
    var title = document.createElement('h2');
    title.textContent = 'The site failed to build';
    var close = document.createElement('button');
    close.type = 'button';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '\u00d7';
    close.addEventListener('click', hideError);
    // Errors stay in view; warnings (broken links and the like, which do
    // not stop a build) are folded away below them.
    var list = document.createElement('ul');
    var warnings = document.createElement('ul');
    var warningCount = 0;
    String(message).split('\n').forEach(function (line) {
      if (!line.trim()) return;
      var isWarning = /^[^ ]+?(?::\d+(?::\d+)?)?: warning: /.test(line);
      var item = document.createElement('li');
      var m = /^(.+?:\d+(?::\d+)?): ?(.*)$/.exec(line);
      if (m) {
        var where = document.createElement('b');
        where.textContent = m[1];
        item.appendChild(where);
        item.appendChild(document.createTextNode(': ' + m[2]));
      } else {
        item.textContent = line;
      }
      if (isWarning) {
        warningCount += 1;
        warnings.appendChild(item);
      } else {
        list.appendChild(item);
      }
    });
    var folded = null;
    if (warningCount) {
      folded = document.createElement('details');
      var summary = document.createElement('summary');
      summary.textContent = warningCount + (warningCount === 1 ? ' warning' : ' warnings');
      folded.appendChild(summary);
      folded.appendChild(warnings);
    }
    var note = document.createElement('p');
    note.textContent = 'You are seeing the last good version of this page. Fix the file and save; this panel closes by itself.';
    panel.appendChild(close);
    panel.appendChild(title);
    panel.appendChild(list);
    if (folded) panel.appendChild(folded);
    panel.appendChild(note);
    root.appendChild(style);
    root.appendChild(panel);
    (document.body || document.documentElement).appendChild(host);
    if (window.console) console.error('[campfire] build failed:\n' + message);
  }
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') hideError();
  });

  // ---- the event stream; closed while the tab is hidden (browsers allow only
  // a few connections per host), reopened with "what changed since build N"
  var source = null;
  var timer = null;
  var delay = 500;

  function handle(msg) {
    if (msg.session) session = msg.session;
    if (msg.build !== undefined) build = String(msg.build);
    switch (msg.type) {
      case 'hello': if (msg.error) showError(msg.error); else hideError(); break;
      case 'error': showError(msg.message); break;
      case 'ok': hideError(); break;
      case 'reload': case 'css': onChange(msg); break;
    }
  }
  function connect() {
    clearTimeout(timer);
    if (source || document.visibilityState === 'hidden') return;
    // The page is named so that a change to thousands of pages can say
    // whether this one is among them without listing them all.
    source = new EventSource('/__campfire/events?session=' + encodeURIComponent(session) +
      '&build=' + encodeURIComponent(build) +
      pageKeys().map(function (k) { return '&page=' + encodeURIComponent(k); }).join(''));
    source.onopen = function () { delay = 500; };
    source.onmessage = function (e) {
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      handle(msg);
    };
    source.onerror = function () {
      // Server gone or restarting: retry with our own backoff, so the next
      // attempt carries the latest build number.
      disconnect();
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  }
  function disconnect() {
    clearTimeout(timer);
    if (source) { source.close(); source = null; }
  }
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') disconnect(); else connect();
  });
  window.addEventListener('pagehide', disconnect);
  window.addEventListener('pageshow', function (e) { if (e.persisted) connect(); });

  restoreScroll();
  connect();
})();
