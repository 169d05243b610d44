/* Campfire search: as-you-type results from the header box on every page,
 * and the full results page (/search/). No dependencies, no server: the
 * index (search/*.js, built by src/search) is loaded with <script> tags, so
 * it works from file:// too. Text is only ever inserted as text.
 *
 * Ranking is not done here: the query engine is the Rust crate in
 * search-engine/ (the one campfire search runs), compiled to WebAssembly
 * and carried, compressed, by assets/search-engine.js, which this script
 * loads on the first query. This script loads the index files the engine
 * asks for, hands them over, and shows what it answers. The words shown are
 * the site's (data-search-strings, from layouts/strings.yaml). */
(function () {
  'use strict';

  // ---- Loading files (<script> tags, so file:// works) ---------------------
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
    var dir = rel.slice(0, 2);
    return dir === 't/' || dir === 'p/' || dir === 'q/' || dir === 'v/' ? dir + keyFile(rel.slice(2)) : rel;
  }

  function addScript(src, done) {
    var s = document.createElement('script');
    s.src = src;
    s.async = true;
    s.onload = s.onerror = function () { s.remove(); done(); };
    document.head.appendChild(s);
  }

  /* The payload of index file rel (null if it could not be loaded). */
  function load(rel) {
    if (cache[rel]) return cache[rel];
    cache[rel] = new Promise(function (resolve) {
      if (rel in loaded) { resolve(loaded[rel]); return; }
      pending[rel] = resolve;
      // The manifest is always fetched fresh; the other files carry the
      // build's hash, so they can be cached but never mixed across builds.
      addScript(rootPrefix() + 'search/' + fileOf(rel) + '.js' +
        (rel === 'manifest' ? '?r=' + Date.now().toString(36) : indexHash ? '?v=' + indexHash : ''),
        function () { if (pending[rel]) { delete pending[rel]; resolve(null); } });
    });
    return cache[rel];
  }

  function add(key, data) {
    var r = pending[key];
    if (r) { delete pending[key]; r(data); } else { loaded[key] = data; }
  }

  // ---- The engine (WebAssembly) ---------------------------------------------
  var enc = new TextEncoder();
  var dec = new TextDecoder();

  /* basE91 text to bytes (scripts/pack-wasm.mjs encodes; its decode() is
   * the same steps). */
  var B91 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,./:;<=>?@[]^_`{|}~"';
  function base91(text) {
    var out = new Uint8Array(text.length), j = 0, b = 0, n = 0, v = -1;
    for (var i = 0; i < text.length; i++) {
      var d = B91.indexOf(text.charAt(i));
      if (v < 0) { v = d; continue; }
      v += d * 91;
      b |= v << n;
      n += (v & 8191) > 88 ? 13 : 14;
      do { out[j++] = b & 255; b >>= 8; n -= 8; } while (n > 7);
      v = -1;
    }
    if (v > -1) out[j++] = (b | v << n) & 255;
    return out.subarray(0, j);
  }

  /* The engine's exports, from assets/search-engine.js (gzip, basE91). */
  function instantiate() {
    return new Promise(function (resolve, reject) {
      var go = function () {
        var text = window.campfireSearchWasm;
        if (!text) { reject(new Error('assets/search-engine.js did not load')); return; }
        var bytes = base91(text);
        var wasm = new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
        wasm.then(function (b) { return WebAssembly.instantiate(b, {}); })
          .then(function (m) { resolve(m.instance.exports); }, reject);
      };
      if (window.campfireSearchWasm) go(); else addScript(rootPrefix() + 'assets/search-engine.js', go);
    });
  }

  /* Copies a string into the engine's memory: [pointer, length]. */
  function put(x, s) {
    var bytes = enc.encode(s);
    var p = x.alloc(bytes.length);
    new Uint8Array(x.memory.buffer, p, bytes.length).set(bytes);
    return [p, bytes.length];
  }

  function answer(x) {
    return JSON.parse(dec.decode(new Uint8Array(x.memory.buffer, x.out_ptr(), x.out_len())));
  }

  function Engine(x, info) {
    this.x = x;
    this.n = info.n;
    this.scale = info.scale;
  }

  /* Calls the engine until it needs no more files: each {need: [...]}
   * answer loads those files (at once) and asks again. */
  Engine.prototype.run = function (call, rounds) {
    var self = this, x = this.x;
    var r = call();
    if (r.error) return Promise.reject(new Error(r.error));
    if (!r.need) return Promise.resolve(r);
    if ((rounds || 0) > 30) return Promise.reject(new Error('the search index is incomplete'));
    return Promise.all(r.need.map(function (rel) {
      return load(rel).then(function (p) {
        var k = put(x, rel);
        if (typeof p === 'string') { var d = put(x, p); x.add(k[0], k[1], d[0], d[1]); } else { x.absent(k[0], k[1]); }
      });
    })).then(function () { return self.run(call, (rounds || 0) + 1); });
  };

  /* {r, ids, every, corrections, ms}: every result's doc id, best first. */
  Engine.prototype.query = function (q) {
    var x = this.x, t0 = performance.now();
    return this.run(function () {
      var a = put(x, q);
      x.query(a[0], a[1]);
      return answer(x);
    }).then(function (r) { r.ms = performance.now() - t0; return r; });
  };

  /* The results ids of ranking r, grouped, with their marked titles and
   * snippets. */
  Engine.prototype.hits = function (r, ids) {
    var x = this.x;
    return this.run(function () {
      var p = x.alloc(ids.length * 4);
      new Uint32Array(x.memory.buffer, p, ids.length).set(ids);
      x.hits(r.r, p, ids.length);
      return answer(x);
    }).then(function (a) { return a.hits; });
  };

  Engine.prototype.tokens = function (text) {
    var a = put(this.x, text);
    this.x.tokens(a[0], a[1]);
    return answer(this.x);
  };

  var engineP = null;
  function engine() {
    if (!engineP) {
      engineP = Promise.all([load('manifest'), instantiate()]).then(function (v) {
        var m = v[0], x = v[1];
        if (typeof m !== 'string') throw new Error('search index missing or outdated');
        var a = put(x, m);
        x.open(a[0], a[1]);
        var info = answer(x);
        if (info.error) throw new Error(info.error);
        indexHash = info.h || '';
        return new Engine(x, info);
      });
      engineP.catch(function () { engineP = null; });
    }
    return engineP;
  }

  // ---- Shared UI bits ------------------------------------------------------
  // Language names are written in their own language, whatever the page's.
  // The strings.yaml key of each facet value of type and of each facet.
  var KIND_PLURAL = { story: 'stories', term: 'search_terms', 'case': 'cases', path: 'paths', page: 'pages' };
  var DIM_LABEL = { type: 'search_type', department: 'department', touchpoint: 'touchpoint', value: 'value', language: 'language' };

  /* The site's words (layouts/strings.yaml): the language's strings
   * script (assets/strings-LANG.js), then every element's
   * data-search-strings (the search page's). */
  var words = null;
  function strings() {
    if (!words) {
      words = Object.create(null);
      if (window.campfireStrings) Object.assign(words, window.campfireStrings);
      var els = document.querySelectorAll('[data-search-strings]');
      for (var i = 0; i < els.length; i++) {
        try { Object.assign(words, JSON.parse(els[i].getAttribute('data-search-strings'))); } catch (err) { /* ignore */ }
      }
    }
    return words;
  }

  /* A language named in itself (Português), as the pages name it (Rust's
   * language_name): from the strings script's language_names or, on the
   * search page, which loads no strings script, its data-facet-names. */
  var languageNames = null;
  function languageName(code) {
    if (!languageNames) {
      languageNames = strings().language_names;
      var page = !languageNames && document.querySelector('[data-facet-names]');
      try { if (page) languageNames = JSON.parse(page.getAttribute('data-facet-names')).language; } catch (err) { /* ignore */ }
      languageNames = languageNames || {};
    }
    return Object.prototype.hasOwnProperty.call(languageNames, code) ? String(languageNames[code]) : code;
  }

  function fill(s, vars) {
    return String(s).replace(/\{(\w+)\}/g, function (m, k) { return vars && k in vars ? vars[k] : m; });
  }

  /* String key, with {name} replaced from vars. */
  function t(key, vars) {
    var s = strings()[key];
    return fill(s === undefined ? key : s, vars);
  }

  /* The plural of key for n, as the templates' plural(): key_one when n
   * is 1, else key_other (each falling back on the other). */
  function tn(key, n, vars) {
    var w = strings();
    var one = w[key + '_one'], other = w[key + '_other'];
    var s = n === 1 ? (one !== undefined ? one : other) : (other !== undefined ? other : one);
    var v = Object.assign({ n: n }, vars || {});
    return fill(s === undefined ? key : s, v);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function hrefOf(url) {
    return rootPrefix() + url + (url === '' || url.slice(-1) === '/' ? 'index.html' : '');
  }

  /* The search page of the box's form (the page's language's, base.html's
   * action), else the site's. */
  function searchPageHref(q, form) {
    var page = (form && form.getAttribute('action')) || rootPrefix() + 'search/index.html';
    return page + (q ? '?q=' + encodeURIComponent(q) : '');
  }

  /* A facet value's label. The index holds department, touchpoint and
   * value ids; names is the search page's data-facet-names, their names
   * in the page's language as every other page shows them (made once, by
   * the build). */
  function valueLabel(dim, v, names) {
    if (dim === 'type') return KIND_PLURAL[v] ? t(KIND_PLURAL[v]) : v;
    var named = names && names[dim];
    return named && Object.prototype.hasOwnProperty.call(named, v) ? String(named[v]) : v;
  }

  function dimLabel(d) {
    return DIM_LABEL[d] ? t(DIM_LABEL[d]) : d.charAt(0).toUpperCase() + d.slice(1).replace(/[-_]+/g, ' ');
  }

  function isEditable(e) {
    if (!e || !e.tagName) return false;
    var tag = e.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.isContentEditable;
  }

  function pageLanguage() {
    return (document.documentElement.getAttribute('lang') || 'en').toLowerCase();
  }

  /* Appends parts to el, the odd ones (the engine's highlights) in <mark>:
   * DOM nodes only, never HTML. */
  function appendMarked(el, parts) {
    parts.forEach(function (p, i) {
      if (!p) return;
      if (i % 2) {
        var mark = document.createElement('mark');
        mark.textContent = p;
        el.appendChild(mark);
      } else {
        el.appendChild(document.createTextNode(p));
      }
    });
  }

  /* One result's content: badge, language (if not the page's), title,
   * snippet. */
  function fillResult(li, d, titleTag) {
    li.appendChild(el('span', 'cs-badge cs-badge-' + d.kind, t('kind_' + d.kind)));
    var title = el(titleTag, 'cs-title');
    appendMarked(title, d.titleMarked);
    if (d.language && d.language.toLowerCase() !== pageLanguage()) {
      var lang = el('span', 'cs-lang', languageName(d.language));
      lang.lang = d.language;
      title.appendChild(lang);
    }
    li.appendChild(title);
    if (d.snippet) {
      var p = el('span', 'cs-snippet');
      appendMarked(p, d.snippetMarked);
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
    this.list.setAttribute('aria-label', t('search_results_label'));
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
    input.addEventListener('focus', function () {
      // The engine and the manifest load while the first word is typed.
      engine().catch(function () { /* reported by the first query */ });
      if (self.options.length) self.open();
    });
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
        return eng.hits(r, r.ids.slice(0, DROPDOWN_RESULTS)).then(function (docs) {
          if (seq === self.seq) self.render({ r: r, docs: docs }, q);
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
      note('cs-empty', t('search_unavailable'));
    } else if (!res.docs.length) {
      note('cs-empty', t('search_none_hint'));
    } else {
      if (!res.r.every) note('cs-note', t('search_some_words'));
      if (res.r.corrections.length) note('cs-note', t('search_similar', { words: res.r.corrections.join(', ') }));
      res.docs.forEach(function (d) {
        var li = el('li', 'cs-option' + (d.translation ? ' cs-translation' : ''));
        fillResult(li, d, 'span');
        add(li, hrefOf(d.url));
      });
    }
    var more = el('li', 'cs-option cs-all');
    var total = res.r ? res.r.ids.length : 0;
    more.textContent = total > DROPDOWN_RESULTS ? tn('search_see_all', total) : t('search_open_page');
    add(more, searchPageHref(q, this.form));
    this.status.textContent = res.error ? t('search_unavailable_short') :
      total === 0 ? t('search_none') : tn('search_count', total);
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

  // The facets file's varints (its format is src/search/index.rs's
  // facets_json; facets are not ranking, so they are read here).
  var DIGIT = new Int8Array(128);
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_'.split('').forEach(function (c, i) {
    DIGIT[c.charCodeAt(0)] = i;
  });

  // ---- The /search/ page ------------------------------------------------------
  var PAGE_SIZE = 10;

  function SearchPage(root) {
    var self = this;
    this.input = root.querySelector('#search-page-input');
    this.results = root.querySelector('#search-results');
    this.facetsEl = root.querySelector('#search-facets');
    this.statusEl = root.querySelector('#search-status');
    try {
      this.names = JSON.parse(root.getAttribute('data-facet-names') || '{}');
    } catch (err) { this.names = {}; }
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
        self.facets = f;
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
      // The facets (the largest file of a first query) load after the first
      // results are shown, unless a filter is already selected (from the URL).
      var sel = self.selected;
      var filtering = Object.keys(sel).some(function (d) { return sel[d].size; });
      var facets = self.facets || filtering ? self.loadFacets() : Promise.resolve(null);
      return Promise.all([eng.query(q), facets]).then(function (x) {
        if (seq !== self.seq) return null;
        var r = x[0], f = x[1];
        var ids = self.filter(r.ids, f, null);
        return eng.hits(r, ids.slice(0, self.shown)).then(function (docs) {
          if (seq !== self.seq) return null;
          self.render(q, r, f, ids, docs);
          if (!f) {
            return self.loadFacets().then(function (later) {
              if (later && seq === self.seq) self.renderFacets(r, later);
            });
          }
        });
      });
    }).catch(function (err) {
      if (seq !== self.seq) return;
      self.results.removeAttribute('aria-busy');
      self.results.textContent = '';
      self.results.appendChild(el('p', 'cs-empty', t('search_unavailable') + ' (' + err.message + ')'));
    });
  };

  /* ids that pass every selected facet except skip's. */
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
    this.statusEl.textContent = t('search_prompt');
  };

  SearchPage.prototype.render = function (q, r, f, ids, docs) {
    var self = this;
    this.results.removeAttribute('aria-busy');
    this.results.textContent = '';
    var nsel = f ? f.dims.filter(function (d) { return self.selected[d.id] && self.selected[d.id].size; }).length : 0;
    if (!ids.length) {
      this.statusEl.textContent = r.ids.length ? t('search_filtered_none') : t('search_no_results_for', { q: q });
      var help = el('div', 'cs-empty');
      if (nsel && r.ids.length) {
        help.appendChild(el('p', null, tn('search_unfiltered', r.ids.length)));
        var clear = el('button', 'cs-clear', t('search_clear_filters'));
        clear.type = 'button';
        clear.addEventListener('click', function () { self.selected = Object.create(null); self.syncUrl(); self.run(); });
        help.appendChild(clear);
      } else {
        help.appendChild(el('p', null, t(nsel ? 'search_spelling_filters' : 'search_spelling')));
      }
      this.results.appendChild(help);
    } else {
      this.statusEl.textContent = tn(nsel ? 'search_results_filtered' : 'search_results_for', ids.length, { q: q });
      if (!r.every) {
        this.results.appendChild(el('p', 'cs-note', t('search_some_words_page')));
      }
      if (r.corrections.length) {
        this.results.appendChild(el('p', 'cs-note', t('search_similar', { words: r.corrections.join(', ') })));
      }
      var ol = el('ol', 'cs-results');
      docs.forEach(function (d) {
        var li = el('li', 'cs-result' + (d.translation ? ' cs-translation' : ''));
        var a = el('a', 'cs-result-link');
        a.href = hrefOf(d.url);
        fillResult(a, d, 'span');
        li.appendChild(a);
        ol.appendChild(li);
      });
      this.results.appendChild(ol);
      if (ids.length > docs.length) {
        var more = el('button', 'cs-more', tn('search_more', ids.length - docs.length));
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
    var h = el('h2', 'cs-facets-title', t('search_filters'));
    this.facetsEl.appendChild(h);
    f.dims.forEach(function (dim) {
      var base = self.filter(r.ids, f, dim.id);
      var counts = new Array(dim.values.length).fill(0);
      var setCounts = new Map();
      base.forEach(function (id) { var s = dim.ids[id]; setCounts.set(s, (setCounts.get(s) || 0) + 1); });
      setCounts.forEach(function (c, s) { dim.sets[s].forEach(function (vi) { counts[vi] += c; }); });
      var sel = self.selected[dim.id] || new Set();
      var items = dim.values.map(function (v, i) { return { v: v, c: counts[i], label: valueLabel(dim.id, v, self.names) }; })
        .filter(function (it) { return it.c > 0 || sel.has(it.v); });
      if (!items.length || (items.length === 1 && !sel.size && dim.values.length === 1)) return;
      items.sort(function (a, b) { return b.c - a.c || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0); });
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
        label.appendChild(document.createTextNode(' ' + it.label + ' '));
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
          return eng.hits(r, r.ids.slice(0, limit || 10)).then(function (hits) {
            return {
              total: r.ids.length,
              every: r.every,
              ms: r.ms,
              corrections: r.corrections,
              hits: hits.map(function (h) {
                return {
                  url: h.url, kind: h.kind, title: h.title, language: h.language, group: h.group,
                  snippet: h.snippet, score: h.score / eng.scale
                };
              })
            };
          });
        });
      });
    },
    /* The engine's tokens of a text (for tests). */
    tokens: function (text) {
      return engine().then(function (eng) { return eng.tokens(text); });
    }
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
