/* Campfire search: as-you-type results from the header box on every page,
 * and the full results page (/search/). No dependencies, no server: the
 * index (search/*.js, built by src/search) is loaded with <script> tags, so
 * it works from file:// too. The ranking mirrors src/search/query.rs line
 * for line: keep the two in step. Text is only ever inserted as text. */
(function () {
  'use strict';

  // ---- Constants shared with src/search (same names there) ----------------
  var FORMAT_VERSION = 1;
  var MAX_WORDS = 10;
  var MIN_PREFIX_CHARS = 2;
  var MAX_EXPANSIONS = 32;
  var MAX_PREFIX_SHARDS = 6;
  var MAX_TOKEN_CHARS = 40;
  var SCORE_SCALE = 1800;
  var SNIPPET_CHARS = 200;
  var SNIPPET_LEAD = 40;
  var STOP = new Set(('a an and are as at be been but by for from had has have he her his i if in ' +
    'into is its of on or our she so than that the their them then there these they this to was ' +
    'we were what when which who will with would you your').split(' '));
  var WORD_RE = /[\p{Alphabetic}\p{N}\p{M}]+(?:['\u2019][\p{Alphabetic}\p{N}\p{M}]+)*/gu;
  var WORD_END_RE = /[\p{Alphabetic}\p{N}\p{M}]$/u;
  var NON_ALNUM_RE = /[^\p{Alphabetic}\p{N}]+/u;
  var MARKS_RE = /\p{M}/gu;
  var DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
  var DIGIT = new Int8Array(128);
  for (var di = 0; di < 64; di++) DIGIT[DIGITS.charCodeAt(di)] = di;

  // ---- Tokenising (src/search/tokenize.rs) --------------------------------
  function cpLen(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0xd800 || c > 0xdbff) n++;
    }
    return n;
  }

  /* The folded tokens of one raw word (as matched by WORD_RE). */
  function wordTokens(raw) {
    if (/^[\x00-\x7f]*$/.test(raw)) {
      var t = raw.replace(/'/g, '').toLowerCase();
      return t.length <= MAX_TOKEN_CHARS ? [t] : [];
    }
    var folded = raw.replace(/['\u2019]/g, '').toLowerCase().normalize('NFD').replace(MARKS_RE, '');
    return folded.split(NON_ALNUM_RE).filter(function (p) {
      return p !== '' && cpLen(p) <= MAX_TOKEN_CHARS;
    });
  }

  function tokens(text) {
    var out = [];
    var m;
    WORD_RE.lastIndex = 0;
    while ((m = WORD_RE.exec(text))) out.push.apply(out, wordTokens(m[0]));
    return out;
  }

  // ---- English stemmer: Snowball "english" (Porter2), as in rust-stemmers --
  function isV(c) {
    return c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || c === 'y';
  }
  function isVWXY(c) {
    return isV(c) || c === 'w' || c === 'x' || c === 'Y';
  }
  var HAS_V = /[aeiouy]/;
  var EXCEPTION1 = {
    skis: 'ski', skies: 'sky', dying: 'die', lying: 'lie', tying: 'tie', idly: 'idl',
    gently: 'gentl', ugly: 'ugli', early: 'earli', only: 'onli', singly: 'singl', sky: 'sky',
    news: 'news', howe: 'howe', atlas: 'atlas', cosmos: 'cosmos', bias: 'bias', andes: 'andes'
  };
  var EXCEPTION2 = new Set(['inning', 'outing', 'canning', 'herring', 'earring', 'proceed',
    'exceed', 'succeed']);
  var STEP2 = [['ization', 'ize'], ['ational', 'ate'], ['fulness', 'ful'], ['ousness', 'ous'],
    ['iveness', 'ive'], ['tional', 'tion'], ['biliti', 'ble'], ['lessli', 'less'], ['entli', 'ent'],
    ['ation', 'ate'], ['alism', 'al'], ['aliti', 'al'], ['ousli', 'ous'], ['iviti', 'ive'],
    ['fulli', 'ful'], ['enci', 'ence'], ['anci', 'ance'], ['abli', 'able'], ['izer', 'ize'],
    ['ator', 'ate'], ['alli', 'al'], ['bli', 'ble'], ['ogi', 'og'], ['li', '']];
  var STEP3 = [['ational', 'ate'], ['tional', 'tion'], ['alize', 'al'], ['icate', 'ic'],
    ['iciti', 'ic'], ['ative', ''], ['ical', 'ic'], ['ness', ''], ['ful', '']];
  var STEP4 = ['ement', 'ance', 'ence', 'able', 'ible', 'ment', 'ant', 'ent', 'ism', 'ate', 'iti',
    'ous', 'ive', 'ize', 'ion', 'al', 'er', 'ic'];

  function shortv(w) {
    var n = w.length;
    if (n >= 3 && !isVWXY(w[n - 1]) && isV(w[n - 2]) && !isV(w[n - 3])) return true;
    return n === 2 && !isV(w[1]) && isV(w[0]);
  }

  function porter2(word) {
    if (Object.prototype.hasOwnProperty.call(EXCEPTION1, word)) return EXCEPTION1[word];
    if (word.length < 3) return word;
    var c = word.split('');
    var yFound = false;
    if (c[0] === 'y') { c[0] = 'Y'; yFound = true; }
    for (var i = 1; i < c.length; i++) {
      if (c[i] === 'y' && isV(c[i - 1])) { c[i] = 'Y'; yFound = true; }
    }
    var w = c.join('');
    var n = w.length;
    // R1 and R2
    var p1 = n, p2 = n;
    var j = 0;
    var pre = /^(gener|commun|arsen)/.exec(w);
    var ok = true;
    if (pre) {
      j = pre[0].length;
    } else {
      while (j < n && !isV(w[j])) j++;
      if (j >= n) ok = false;
      j++;
      while (ok && j < n && isV(w[j])) j++;
      if (j >= n) ok = false;
      j++;
    }
    if (ok) {
      p1 = j;
      while (j < n && !isV(w[j])) j++;
      if (j < n) {
        j++;
        while (j < n && isV(w[j])) j++;
        if (j < n) p2 = j + 1;
      }
    }
    // Step 1a
    if (/sses$/.test(w)) w = w.slice(0, -2);
    else if (/ie[ds]$/.test(w)) w = w.length > 4 ? w.slice(0, -2) : w.slice(0, -1);
    else if (/(us|ss)$/.test(w)) { /* unchanged */ }
    else if (/s$/.test(w) && HAS_V.test(w.slice(0, -2))) w = w.slice(0, -1);
    if (!EXCEPTION2.has(w)) {
      w = step1b(w, p1);
      // Step 1c
      var m = w.length;
      if (m > 2 && (w[m - 1] === 'y' || w[m - 1] === 'Y') && !isV(w[m - 2])) w = w.slice(0, -1) + 'i';
      w = step2(w, p1);
      w = step3(w, p1, p2);
      w = step4(w, p2);
      w = step5(w, p1, p2);
    }
    return yFound ? w.replace(/Y/g, 'y') : w;
  }

  function step1b(w, p1) {
    var suf = /(eedly|ingly|edly|eed|ing|ed)$/.exec(w);
    if (!suf) return w;
    var s = suf[1];
    var stem = w.slice(0, w.length - s.length);
    if (s === 'eed' || s === 'eedly') return stem.length >= p1 ? stem + 'ee' : w;
    if (!HAS_V.test(stem)) return w;
    if (/(at|bl|iz)$/.test(stem)) return stem + 'e';
    if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(stem)) return stem.slice(0, -1);
    if (stem.length === p1 && shortv(stem)) return stem + 'e';
    return stem;
  }

  function endsAny(w, list) {
    for (var i = 0; i < list.length; i++) {
      var s = typeof list[i] === 'string' ? list[i] : list[i][0];
      if (w.length >= s.length && w.slice(w.length - s.length) === s) return list[i];
    }
    return null;
  }

  function step2(w, p1) {
    var e = endsAny(w, STEP2);
    if (!e) return w;
    var at = w.length - e[0].length;
    if (at < p1) return w;
    if (e[0] === 'ogi' && w[at - 1] !== 'l') return w;
    if (e[0] === 'li' && 'cdeghkmnrt'.indexOf(w[at - 1] || '#') < 0) return w;
    return w.slice(0, at) + e[1];
  }

  function step3(w, p1, p2) {
    var e = endsAny(w, STEP3);
    if (!e) return w;
    var at = w.length - e[0].length;
    if (at < p1) return w;
    if (e[0] === 'ative' && at < p2) return w;
    return w.slice(0, at) + e[1];
  }

  function step4(w, p2) {
    var s = endsAny(w, STEP4);
    if (!s) return w;
    var at = w.length - s.length;
    if (at < p2) return w;
    if (s === 'ion' && w[at - 1] !== 's' && w[at - 1] !== 't') return w;
    return w.slice(0, at);
  }

  function step5(w, p1, p2) {
    var n = w.length;
    var last = w[n - 1];
    if (last === 'e') {
      var at = n - 1;
      if (at >= p2 || (at >= p1 && !shortv(w.slice(0, at)))) return w.slice(0, at);
    } else if (last === 'l') {
      if (n - 1 >= p2 && w[n - 2] === 'l') return w.slice(0, n - 1);
    }
    return w;
  }

  var stemCache = new Map();
  function stem(t) {
    if (!/^[a-z]+$/.test(t)) return t;
    var s = stemCache.get(t);
    if (s === undefined) {
      s = porter2(t);
      if (stemCache.size > 20000) stemCache.clear();
      stemCache.set(t, s);
    }
    return s;
  }

  // ---- Queries (parse_query in query.rs) ----------------------------------
  function parseQuery(q) {
    var toks = tokens(q);
    var openEnd = WORD_END_RE.test(q);
    var last = toks[toks.length - 1];
    var seen = new Set();
    var list = toks.filter(function (t) {
      if (seen.has(t)) return false;
      seen.add(t);
      return true;
    });
    var prefixWord = openEnd && list.length && list[list.length - 1] === last ? last : null;
    if (list.some(function (w) { return !STOP.has(w); })) {
      list = list.filter(function (w) { return !STOP.has(w); });
    }
    list = list.slice(0, MAX_WORDS);
    return list.map(function (w, i) {
      return {
        word: w,
        stem: stem(w),
        prefix: i === list.length - 1 && w === prefixWord && cpLen(w) >= MIN_PREFIX_CHARS
      };
    });
  }

  // ---- Loading index files ------------------------------------------------
  var scriptEl = document.currentScript;
  var pending = Object.create(null);
  var loaded = Object.create(null);
  var cache = Object.create(null);
  var indexHash = '';

  function rootPrefix() {
    var r = document.body && document.body.getAttribute('data-root');
    if (r !== null && r !== undefined) return r;
    // Fallback: the site root is where assets/search.js lives.
    if (scriptEl && scriptEl.src) return scriptEl.src.replace(/assets\/search\.js(\?.*)?$/, '');
    return '';
  }

  function keyFile(key) {
    var out = '';
    for (var ch of key) {
      out += /^[a-z0-9]$/.test(ch) ? ch : '_' + ch.codePointAt(0).toString(16) + '_';
    }
    return out;
  }

  function fileOf(rel) {
    return rel.slice(0, 2) === 't/' ? 't/' + keyFile(rel.slice(2)) : rel;
  }

  function load(rel) {
    if (cache[rel]) return cache[rel];
    cache[rel] = new Promise(function (resolve) {
      if (rel in loaded) { resolve(loaded[rel]); return; }
      pending[rel] = resolve;
      var s = document.createElement('script');
      // The manifest is always fetched fresh; the other files carry the
      // build's hash, so they can be cached but never mixed across builds.
      s.src = rootPrefix() + 'search/' + fileOf(rel) + '.js' +
        (rel === 'manifest' ? '?r=' + Date.now().toString(36) : indexHash ? '?v=' + indexHash : '');
      s.async = true;
      var done = function () {
        s.remove();
        if (pending[rel]) { delete pending[rel]; resolve(null); }
      };
      s.onload = done;
      s.onerror = done;
      document.head.appendChild(s);
    });
    return cache[rel];
  }

  function add(key, data) {
    var r = pending[key];
    if (r) { delete pending[key]; r(data); } else { loaded[key] = data; }
  }

  // ---- The engine (Engine in query.rs) --------------------------------------
  var manifestP = null;
  function engine() {
    if (!manifestP) {
      manifestP = load('manifest').then(function (m) {
        if (!m || m.v !== FORMAT_VERSION) throw new Error('search index missing or outdated');
        indexHash = m.h || '';
        return new Engine(m);
      });
    }
    return manifestP;
  }

  function Engine(m) {
    this.n = m.n;
    this.perChunk = Math.max(1, m.c);
    this.keys = m.keys;
    this.keySet = new Set(m.keys);
    this.shards = Object.create(null);
  }

  Engine.prototype.shardFor = function (term) {
    var cps = Array.from(term);
    var min = Math.min(2, cps.length);
    for (var e = cps.length; e >= min && e > 0; e--) {
      var k = cps.slice(0, e).join('');
      if (this.keySet.has(k)) return k;
    }
    return null;
  };

  Engine.prototype.loadShards = function (keys) {
    var self = this;
    return Promise.all(keys.map(function (k) {
      if (k in self.shards) return null;
      return load('t/' + k).then(function (s) { self.shards[k] = s || {}; });
    }));
  };

  /* Shards a word needs, and the ones its prefix expansion reads. */
  Engine.prototype.plan = function (w) {
    var self = this;
    var exact = [w.word];
    if (w.stem !== w.word) exact.push(w.stem);
    var keys = [];
    exact.forEach(function (t) { var k = self.shardFor(t); if (k) keys.push(k); });
    var prefixKeys = [];
    if (w.prefix) {
      var own = this.shardFor(w.word);
      if (own) prefixKeys.push(own);
      var children = this.keys.filter(function (k) { return k !== w.word && k.startsWith(w.word); });
      if (children.length <= MAX_PREFIX_SHARDS) prefixKeys = prefixKeys.concat(children);
      keys = keys.concat(prefixKeys);
    }
    return { exact: exact, keys: keys, prefixKeys: prefixKeys };
  };

  Engine.prototype.term = function (t) {
    var k = this.shardFor(t);
    var s = k && this.shards[k];
    return s && Object.prototype.hasOwnProperty.call(s, t) ? s[t] : null;
  };

  Engine.prototype.candidates = function (w, plan) {
    var self = this;
    var out = [];
    plan.exact.forEach(function (t) { if (self.term(t)) out.push([t, 2]); });
    if (w.prefix) {
      var exp = [];
      var seen = new Set();
      plan.prefixKeys.forEach(function (k) {
        if (seen.has(k)) return;
        seen.add(k);
        var shard = self.shards[k];
        if (!shard) return;
        for (var t in shard) {
          if (t.startsWith(w.word) && plan.exact.indexOf(t) < 0) exp.push([t, shard[t][1]]);
        }
      });
      exp.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0); });
      exp.slice(0, MAX_EXPANSIONS).forEach(function (e) { out.push([e[0], 1]); });
    }
    return out;
  };

  /* All matching docs, best first: {ids, scores, every}. Needs the shards. */
  Engine.prototype.rank = function (words, plans) {
    var n = this.n;
    var total = new Float64Array(n);
    var matched = new Uint8Array(n);
    var best = new Float64Array(n);
    var touched = [];
    var self = this;
    var any = [];
    words.forEach(function (w, wi) {
      var cands = self.candidates(w, plans[wi]);
      touched.length = 0;
      cands.forEach(function (c) {
        var info = self.term(c[0]);
        if (!info) return;
        var idf = info[0], p = info[2], mult = c[1];
        var i = 0, prev = -1, len = p.length;
        while (i < len) {
          var gap = 0, d;
          do { d = DIGIT[p.charCodeAt(i++)]; gap = gap * 32 + (d & 31); } while (d >= 32);
          var id = prev + 1 + gap;
          prev = id;
          var s = idf * DIGIT[p.charCodeAt(i++)] * mult;
          if (best[id] === 0) touched.push(id);
          if (s > best[id]) best[id] = s;
        }
      });
      for (var k = 0; k < touched.length; k++) {
        var id = touched[k];
        if (matched[id] === 0) any.push(id);
        total[id] += best[id];
        matched[id]++;
        best[id] = 0;
      }
    });
    var all = words.length;
    var ids = any.filter(function (id) { return matched[id] === all; });
    var every = ids.length > 0 || all === 1;
    if (!ids.length) ids = any;
    ids.sort(function (a, b) {
      return matched[b] - matched[a] || total[b] - total[a] || a - b;
    });
    return { ids: ids, scores: total, every: every && ids.length > 0 };
  };

  Engine.prototype.doc = function (id) {
    var self = this;
    var c = Math.floor(id / this.perChunk);
    return load('d/' + c).then(function (chunk) {
      var d = chunk && chunk[id % self.perChunk];
      if (!d) return null;
      return { id: id, url: d[0], title: d[1], kind: d[2], language: d[3], text: d[4] };
    });
  };

  /* Runs a query: {words, ids, scores, every, ms} (ms: ranking only). */
  Engine.prototype.query = function (q) {
    var self = this;
    var words = parseQuery(q);
    var plans = words.map(function (w) { return self.plan(w); });
    var keys = [];
    plans.forEach(function (p) { keys = keys.concat(p.keys); });
    return this.loadShards(keys).then(function () {
      var t0 = performance.now();
      var r = words.length ? self.rank(words, plans) : { ids: [], scores: null, every: true };
      r.ms = performance.now() - t0;
      r.words = words;
      return r;
    });
  };

  // ---- Highlighting and snippets (snippet() in query.rs) -------------------
  function tokenMatches(t, words) {
    var st = stem(t);
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (t === w.word || (w.prefix && t.startsWith(w.word)) || st === w.word || st === w.stem) return true;
    }
    return false;
  }

  /* [start, end, isHit] of each raw word of text. */
  function scan(text, words) {
    var out = [];
    var m;
    WORD_RE.lastIndex = 0;
    while ((m = WORD_RE.exec(text))) {
      var hit = words.length > 0 && wordTokens(m[0]).some(function (t) { return tokenMatches(t, words); });
      out.push([m.index, m.index + m[0].length, hit]);
    }
    return out;
  }

  /* {text, ranges} for a snippet of a document's text. */
  function snippet(text, words) {
    var all = scan(text, words);
    var hits = all.filter(function (w) { return w[2]; });
    var start = 0;
    if (hits.length) {
      var bi = 0, bc = 0;
      for (var i = 0; i < hits.length; i++) {
        var count = 0;
        for (var k = i; k < hits.length && hits[k][0] < hits[i][0] + SNIPPET_CHARS - SNIPPET_LEAD; k++) count++;
        if (count > bc) { bc = count; bi = i; }
      }
      var first = hits[bi][0];
      start = first;
      for (var a = 0; a < all.length; a++) {
        if (all[a][0] + SNIPPET_LEAD >= first) { start = all[a][0]; break; }
      }
    }
    var limit = start + SNIPPET_CHARS;
    var end;
    if (text.length <= limit) {
      end = text.length;
    } else {
      end = limit;
      for (var b = all.length - 1; b >= 0; b--) {
        if (all[b][0] >= start && all[b][1] <= limit) { end = all[b][1]; break; }
      }
    }
    if (end < start) end = start;
    var lead = start > 0 ? '\u2026' : '';
    var ranges = hits.filter(function (h) { return h[0] >= start && h[1] <= end; })
      .map(function (h) { return [h[0] - start + lead.length, h[1] - start + lead.length]; });
    return { text: lead + text.slice(start, end) + (end < text.length ? '\u2026' : ''), ranges: ranges };
  }

  /* Appends text to el, with the given ranges wrapped in <mark>: DOM nodes
   * only, never HTML. */
  function appendMarked(el, text, ranges) {
    var at = 0;
    ranges.forEach(function (r) {
      if (r[0] > at) el.appendChild(document.createTextNode(text.slice(at, r[0])));
      var mark = document.createElement('mark');
      mark.textContent = text.slice(r[0], r[1]);
      el.appendChild(mark);
      at = r[1];
    });
    if (at < text.length) el.appendChild(document.createTextNode(text.slice(at)));
  }

  function titleRanges(title, words) {
    return scan(title, words).filter(function (w) { return w[2]; }).map(function (w) { return [w[0], w[1]]; });
  }

  // ---- Shared UI bits ------------------------------------------------------
  var KIND_LABEL = { story: 'Story', term: 'Term', 'case': 'Case study', path: 'Training path', page: 'Page' };
  var KIND_PLURAL = { story: 'Stories', term: 'Glossary terms', 'case': 'Case studies', path: 'Training paths', page: 'Pages' };
  var DIM_LABEL = { type: 'Type', department: 'Department', touchpoint: 'Touchpoint', value: 'Value', language: 'Language' };
  var LANG_LABEL = { en: 'English', pt: 'Português', es: 'Español', fr: 'Français', de: 'Deutsch', it: 'Italiano' };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function hrefOf(url) {
    return rootPrefix() + url + (url === '' || url.slice(-1) === '/' ? 'index.html' : '');
  }

  function searchPageHref(q) {
    return rootPrefix() + 'search/index.html' + (q ? '?q=' + encodeURIComponent(q) : '');
  }

  function valueLabel(dim, v) {
    if (dim === 'type') return KIND_PLURAL[v] || v;
    if (dim === 'language') return LANG_LABEL[v] || v;
    if (/[A-Z]/.test(v)) return v;
    var s = v.replace(/[-_]+/g, ' ');
    if (s.length <= 2) return s.toUpperCase();
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function dimLabel(d) {
    return DIM_LABEL[d] || d.charAt(0).toUpperCase() + d.slice(1).replace(/[-_]+/g, ' ');
  }

  function isEditable(t) {
    if (!t || !t.tagName) return false;
    var tag = t.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || t.isContentEditable;
  }

  /* One result's content: badge, title, snippet. */
  function fillResult(li, d, words, titleTag) {
    li.appendChild(el('span', 'cs-badge cs-badge-' + d.kind, KIND_LABEL[d.kind] || d.kind));
    var title = el(titleTag, 'cs-title');
    appendMarked(title, d.title, titleRanges(d.title, words));
    li.appendChild(title);
    var sn = snippet(d.text, words);
    if (sn.text) {
      var p = el('span', 'cs-snippet');
      appendMarked(p, sn.text, sn.ranges);
      li.appendChild(p);
    }
    return title;
  }

  // ---- As-you-type dropdown -------------------------------------------------
  var DROPDOWN_RESULTS = 8;
  var uid = 0;

  function Dropdown(input) {
    var self = this;
    this.input = input;
    this.form = input.form;
    this.seq = 0;
    this.active = -1;
    this.options = [];
    var id = 'cs-listbox-' + (++uid);
    this.list = el('ul', 'cs-listbox');
    this.list.id = id;
    this.list.setAttribute('role', 'listbox');
    this.list.setAttribute('aria-label', 'Search results');
    this.list.hidden = true;
    this.status = el('span', 'visually-hidden cs-status');
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    var host = this.form || input.parentNode;
    host.classList.add('cs-host');
    host.appendChild(this.list);
    host.appendChild(this.status);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', id);
    var timer = null;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.update(); }, 80);
    });
    input.addEventListener('keydown', function (e) { self.key(e); });
    input.addEventListener('focus', function () { if (self.options.length) self.open(); });
    input.addEventListener('blur', function () {
      setTimeout(function () { if (document.activeElement !== input) self.close(); }, 150);
    });
    // Keep the focus in the input while clicking an option.
    this.list.addEventListener('mousedown', function (e) { e.preventDefault(); });
    this.list.addEventListener('click', function (e) {
      var li = e.target.closest && e.target.closest('[role="option"]');
      if (li) { e.preventDefault(); self.go(self.options.indexOf(li)); }
    });
  }

  Dropdown.prototype.update = function () {
    var self = this;
    var q = this.input.value;
    var seq = ++this.seq;
    if (!q.trim()) { this.render(null, q); return; }
    engine().then(function (eng) {
      return eng.query(q).then(function (r) {
        var ids = r.ids.slice(0, DROPDOWN_RESULTS);
        return Promise.all(ids.map(function (id) { return eng.doc(id); })).then(function (docs) {
          if (seq === self.seq) self.render({ r: r, docs: docs.filter(Boolean) }, q);
        });
      });
    }).catch(function (err) {
      if (seq === self.seq) self.render({ error: err }, q);
    });
  };

  Dropdown.prototype.render = function (res, q) {
    var self = this;
    this.list.textContent = '';
    this.options = [];
    this.setActive(-1);
    if (!res) { this.close(); this.status.textContent = ''; return; }
    var add = function (li, href) {
      li.id = self.list.id + '-opt-' + self.options.length;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.href = href;
      self.options.push(li);
      self.list.appendChild(li);
    };
    // Messages are disabled options: a listbox holds nothing else.
    var note = function (cls, text) {
      var li = el('li', cls, text);
      li.setAttribute('role', 'option');
      li.setAttribute('aria-disabled', 'true');
      self.list.appendChild(li);
    };
    if (res.error) {
      note('cs-empty', 'Search is unavailable: the search index could not be loaded.');
    } else if (!res.docs.length) {
      note('cs-empty', 'No results. Try fewer or different words.');
    } else {
      if (!res.r.every) note('cs-note', 'No result has all the words; showing results with some of them.');
      res.docs.forEach(function (d) {
        var li = el('li', 'cs-option');
        fillResult(li, d, res.r.words, 'span');
        add(li, hrefOf(d.url));
      });
    }
    var more = el('li', 'cs-option cs-all');
    var total = res.r ? res.r.ids.length : 0;
    more.textContent = total > DROPDOWN_RESULTS ? 'See all ' + total + ' results' : 'Open the search page';
    add(more, searchPageHref(q));
    this.status.textContent = res.error ? 'Search unavailable' :
      total === 0 ? 'No results' : total + (total === 1 ? ' result' : ' results');
    if (document.activeElement === this.input) this.open();
  };

  Dropdown.prototype.open = function () {
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  };

  Dropdown.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.setActive(-1);
  };

  Dropdown.prototype.setActive = function (i) {
    if (this.options[this.active]) {
      this.options[this.active].setAttribute('aria-selected', 'false');
      this.options[this.active].classList.remove('cs-active');
    }
    this.active = i;
    var o = this.options[i];
    if (o) {
      o.setAttribute('aria-selected', 'true');
      o.classList.add('cs-active');
      this.input.setAttribute('aria-activedescendant', o.id);
      if (o.scrollIntoView) o.scrollIntoView({ block: 'nearest' });
    } else {
      this.input.removeAttribute('aria-activedescendant');
    }
  };

  Dropdown.prototype.go = function (i) {
    var o = this.options[i];
    if (o) window.location.href = o.dataset.href;
  };

  Dropdown.prototype.key = function (e) {
    var n = this.options.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!n) return;
      e.preventDefault();
      if (this.list.hidden) { this.open(); }
      var d = e.key === 'ArrowDown' ? 1 : -1;
      var i = this.active < 0 ? (d > 0 ? 0 : n - 1) : (this.active + d + n) % n;
      this.setActive(i);
    } else if (e.key === 'Enter') {
      if (this.active >= 0 && !this.list.hidden) {
        e.preventDefault();
        this.go(this.active);
      }
    } else if (e.key === 'Escape') {
      if (!this.list.hidden) {
        e.preventDefault();
        this.close();
      } else if (this.input.value) {
        e.preventDefault();
        this.input.value = '';
        this.render(null, '');
      }
    }
  };

  // ---- The /search/ page ------------------------------------------------------
  var PAGE_SIZE = 10;

  function SearchPage(root) {
    var self = this;
    this.input = root.querySelector('#search-page-input');
    this.results = root.querySelector('#search-results');
    this.facetsEl = root.querySelector('#search-facets');
    this.statusEl = root.querySelector('#search-status');
    this.seq = 0;
    this.selected = Object.create(null); // dim -> Set of values
    this.facets = null;
    this.shown = PAGE_SIZE;
    var params = new URLSearchParams(window.location.search);
    this.input.value = params.get('q') || '';
    params.forEach(function (v, k) {
      if (k === 'q') return;
      (self.selected[k] = self.selected[k] || new Set()).add(v);
    });
    var timer = null;
    this.input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.shown = PAGE_SIZE; self.syncUrl(); self.run(); }, 80);
    });
    var form = this.input.form;
    if (form) {
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        clearTimeout(timer);
        self.shown = PAGE_SIZE;
        self.syncUrl();
        self.run();
      });
    }
    this.run();
  }

  SearchPage.prototype.syncUrl = function () {
    var params = new URLSearchParams();
    if (this.input.value) params.set('q', this.input.value);
    var sel = this.selected;
    Object.keys(sel).forEach(function (d) { sel[d].forEach(function (v) { params.append(d, v); }); });
    var s = params.toString();
    try {
      history.replaceState(null, '', window.location.pathname + (s ? '?' + s : '') + window.location.hash);
    } catch (err) { /* some browsers refuse replaceState on file:// */ }
  };

  SearchPage.prototype.loadFacets = function () {
    var self = this;
    if (!this.facetsP) {
      this.facetsP = load('facets').then(function (f) {
        if (!f) return null;
        f.dims.forEach(function (dim) {
          var ids = new Int32Array(self.n);
          var p = dim.docs, i = 0, doc = 0;
          var next = function () {
            var v = 0, d;
            do { d = DIGIT[p.charCodeAt(i++)]; v = v * 32 + (d & 31); } while (d >= 32);
            return v;
          };
          while (i < p.length && doc < self.n) {
            var set = next();
            var run = dim.rle ? next() : 1;
            for (var k = 0; k < run && doc < self.n; k++) ids[doc++] = set;
          }
          dim.ids = ids;
        });
        return f;
      });
    }
    return this.facetsP;
  };

  SearchPage.prototype.run = function () {
    var self = this;
    var q = this.input.value;
    var seq = ++this.seq;
    if (!q.trim()) { this.renderEmpty(); return; }
    this.results.setAttribute('aria-busy', 'true');
    engine().then(function (eng) {
      self.n = eng.n;
      return Promise.all([eng.query(q), self.loadFacets()]).then(function (x) {
        if (seq !== self.seq) return null;
        var r = x[0], f = x[1];
        var ids = self.filter(r.ids, f, null);
        var page = ids.slice(0, self.shown);
        return Promise.all(page.map(function (id) { return eng.doc(id); })).then(function (docs) {
          if (seq === self.seq) self.render(q, r, f, ids, docs.filter(Boolean));
        });
      });
    }).catch(function (err) {
      if (seq !== self.seq) return;
      self.results.removeAttribute('aria-busy');
      self.results.textContent = '';
      self.results.appendChild(el('p', 'cs-empty', 'Search is unavailable: the search index could not be loaded (' + err.message + ').'));
    });
  };

  /* ids that pass every selected facet except `skip`'s. */
  SearchPage.prototype.filter = function (ids, f, skip) {
    var sel = this.selected;
    if (!f) return ids;
    var active = f.dims.filter(function (d) { return d.id !== skip && sel[d.id] && sel[d.id].size; });
    if (!active.length) return ids;
    var want = active.map(function (d) {
      return d.sets.map(function (set) {
        return set.some(function (vi) { return sel[d.id].has(d.values[vi]); });
      });
    });
    return ids.filter(function (id) {
      for (var a = 0; a < active.length; a++) if (!want[a][active[a].ids[id]]) return false;
      return true;
    });
  };

  SearchPage.prototype.renderEmpty = function () {
    this.results.removeAttribute('aria-busy');
    this.results.textContent = '';
    this.facetsEl.textContent = '';
    this.statusEl.textContent = 'Type a word or two to search stories, glossary terms, case studies, training paths and pages.';
  };

  SearchPage.prototype.render = function (q, r, f, ids, docs) {
    var self = this;
    this.results.removeAttribute('aria-busy');
    this.results.textContent = '';
    var nsel = f ? f.dims.filter(function (d) { return self.selected[d.id] && self.selected[d.id].size; }).length : 0;
    if (!ids.length) {
      this.statusEl.textContent = r.ids.length
        ? 'No results match the selected filters.'
        : 'No results for \u201c' + q + '\u201d.';
      var help = el('div', 'cs-empty');
      if (nsel && r.ids.length) {
        help.appendChild(el('p', null, 'There are ' + r.ids.length + ' results without filters: remove a filter to see them.'));
        var clear = el('button', 'cs-clear', 'Clear all filters');
        clear.type = 'button';
        clear.addEventListener('click', function () { self.selected = Object.create(null); self.syncUrl(); self.run(); });
        help.appendChild(clear);
      } else {
        help.appendChild(el('p', null, 'Check the spelling, try fewer words, or a more general word' +
          (nsel ? ', or remove a filter.' : '.')));
      }
      this.results.appendChild(help);
    } else {
      this.statusEl.textContent = ids.length + (ids.length === 1 ? ' result' : ' results') +
        ' for \u201c' + q + '\u201d' + (nsel ? ' (filtered)' : '') + '.';
      if (!r.every) {
        this.results.appendChild(el('p', 'cs-note', 'No result contains all the words; these contain some of them. Try removing a word.'));
      }
      var ol = el('ol', 'cs-results');
      docs.forEach(function (d) {
        var li = el('li', 'cs-result');
        var a = el('a', 'cs-result-link');
        a.href = hrefOf(d.url);
        fillResult(a, d, r.words, 'span');
        li.appendChild(a);
        ol.appendChild(li);
      });
      this.results.appendChild(ol);
      if (ids.length > docs.length) {
        var more = el('button', 'cs-more', 'Show more results (' + (ids.length - docs.length) + ' more)');
        more.type = 'button';
        more.addEventListener('click', function () {
          // Keyboard users land on the first new result.
          self.focusAt = self.shown;
          self.shown += PAGE_SIZE;
          self.run();
        });
        this.results.appendChild(more);
      }
    }
    this.renderFacets(r, f);
    if (this.focusAt !== undefined) {
      var links = this.results.querySelectorAll('.cs-result-link');
      if (links[this.focusAt]) links[this.focusAt].focus();
      this.focusAt = undefined;
    }
  };

  SearchPage.prototype.renderFacets = function (r, f) {
    var self = this;
    this.facetsEl.textContent = '';
    if (!f) return;
    var h = el('h2', 'cs-facets-title', 'Filter results');
    this.facetsEl.appendChild(h);
    f.dims.forEach(function (dim) {
      var base = self.filter(r.ids, f, dim.id);
      var counts = new Array(dim.values.length).fill(0);
      var setCounts = new Map();
      base.forEach(function (id) { var s = dim.ids[id]; setCounts.set(s, (setCounts.get(s) || 0) + 1); });
      setCounts.forEach(function (c, s) { dim.sets[s].forEach(function (vi) { counts[vi] += c; }); });
      var sel = self.selected[dim.id] || new Set();
      var items = dim.values.map(function (v, i) { return { v: v, c: counts[i] }; })
        .filter(function (it) { return it.c > 0 || sel.has(it.v); });
      if (!items.length || (items.length === 1 && !sel.size && dim.values.length === 1)) return;
      items.sort(function (a, b) { return b.c - a.c || (a.v < b.v ? -1 : 1); });
      var fs = el('fieldset', 'cs-facet');
      fs.appendChild(el('legend', null, dimLabel(dim.id)));
      items.forEach(function (it) {
        var label = el('label', 'cs-facet-value');
        var box = document.createElement('input');
        box.type = 'checkbox';
        box.name = dim.id;
        box.value = it.v;
        box.checked = sel.has(it.v);
        box.addEventListener('change', function () {
          var s = self.selected[dim.id] = self.selected[dim.id] || new Set();
          if (box.checked) s.add(it.v); else s.delete(it.v);
          self.shown = PAGE_SIZE;
          self.syncUrl();
          self.run();
        });
        label.appendChild(box);
        label.appendChild(document.createTextNode(' ' + valueLabel(dim.id, it.v) + ' '));
        label.appendChild(el('span', 'cs-count', '(' + it.c + ')'));
        fs.appendChild(label);
      });
      self.facetsEl.appendChild(fs);
    });
  };

  // ---- Wiring ---------------------------------------------------------------
  function searchBox() {
    return document.getElementById('search-page-input') || document.getElementById('site-search') ||
      document.querySelector('form.site-search input[type="search"]');
  }

  function init() {
    var page = document.getElementById('search-page');
    if (page) new SearchPage(page);
    var boxes = document.querySelectorAll('form.site-search input[type="search"]');
    for (var i = 0; i < boxes.length; i++) new Dropdown(boxes[i]);
    document.addEventListener('keydown', function (e) {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || isEditable(e.target)) return;
      var box = searchBox();
      if (!box) return;
      e.preventDefault();
      box.focus();
      if (box.select) box.select();
    });
  }

  window.campfireSearch = {
    add: add,
    /* For tests and tools: the ranked results of a query, as the UI sees them. */
    search: function (q, limit) {
      return engine().then(function (eng) {
        return eng.query(q).then(function (r) {
          var ids = r.ids.slice(0, limit || 10);
          return Promise.all(ids.map(function (id) { return eng.doc(id); })).then(function (docs) {
            return {
              total: r.ids.length,
              every: r.every,
              ms: r.ms,
              hits: docs.map(function (d, i) {
                return { url: d.url, kind: d.kind, title: d.title, score: r.scores[ids[i]] / SCORE_SCALE };
              })
            };
          });
        });
      });
    },
    tokens: tokens,
    stem: stem,
    parseQuery: parseQuery
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
