/* Campfire search: as-you-type results from the header box on every page,
 * and the full results page (/search/). No dependencies, no server: the
 * index (search/*.js, built by src/search) is loaded with <script> tags, so
 * it works from file:// too. Text is only ever inserted as text.
 *
 * The query steps are those of src/search/query.rs (see its module docs),
 * in the same order; English stemming happens at build time only (the
 * index maps surface forms to their terms), so there is no stemmer here.
 * The browser test "Rust and the browser" checks both rank alike. */
(function () {
  'use strict';

  // ---- Constants shared with src/search (same names there) ----------------
  var FORMAT_VERSION = 2;
  var MAX_WORDS = 10;
  var MIN_PREFIX_CHARS = 2;
  var MAX_EXPANSIONS = 32;
  var MAX_PREFIX_SHARDS = 6;
  var EXACT = 4;
  var TYPO_MIN_RESULTS = 3;
  var TYPO_MIN_CHARS = 4;
  var MAX_CORRECTIONS = 8;
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
  var ALNUM_RE = /^[\p{Alphabetic}\p{N}]$/u;
  var ALPHA_RE = /^\p{Alphabetic}+$/u;
  var MARKS_RE = /\p{M}/gu;
  var QUOTE_RE = /["\u201c\u201d\u201e]/;
  var JOINERS = '.-_/\u2010\u2011';
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

  function fold(s) {
    return /^[\x00-\x7f]*$/.test(s) ? s.toLowerCase() : s.toLowerCase().normalize('NFD').replace(MARKS_RE, '');
  }

  /* The folded tokens of one raw word (as matched by WORD_RE). */
  function wordTokens(raw) {
    if (/^[\x00-\x7f]*$/.test(raw)) {
      var t = raw.replace(/'/g, '').toLowerCase();
      return t.length <= MAX_TOKEN_CHARS ? [t] : [];
    }
    var folded = fold(raw.replace(/['\u2019]/g, ''));
    return folded.split(NON_ALNUM_RE).filter(function (p) {
      return p !== '' && cpLen(p) <= MAX_TOKEN_CHARS;
    });
  }

  function compoundToken(raw) {
    var out = '';
    for (var c of fold(raw)) {
      if (c === "'" || c === '\u2019') continue;
      if (c === '\u2010' || c === '\u2011') out += '-';
      else if (ALNUM_RE.test(c) || JOINERS.indexOf(c) >= 0) out += c;
      else return null;
    }
    return cpLen(out) <= MAX_TOKEN_CHARS ? out : null;
  }

  /* pieces() in tokenize.rs: f({part}), f({compound, parts}), f({brk}). */
  function pieces(text, f) {
    var prevEnd = 0, chainStart = 0, chainWords = 0, chainParts = 0;
    var flush = function () {
      if (chainWords >= 2) {
        var c = compoundToken(text.slice(chainStart, prevEnd));
        if (c !== null) f({ compound: c, parts: chainParts });
      }
    };
    var m;
    var re = new RegExp(WORD_RE.source, 'gu');
    while ((m = re.exec(text))) {
      var gap = text.slice(prevEnd, m.index);
      var joined = chainWords > 0 && gap.length === 1 && JOINERS.indexOf(gap) >= 0;
      if (!joined) {
        flush();
        if (chainWords > 0 && gap.indexOf('\n') >= 0) f({ brk: true });
        chainStart = m.index;
        chainWords = 0;
        chainParts = 0;
      }
      chainWords++;
      wordTokens(m[0]).forEach(function (t) { chainParts++; f({ part: t }); });
      prevEnd = m.index + m[0].length;
    }
    flush();
  }

  function tokens(text) {
    var out = [];
    pieces(text, function (p) {
      if (p.part !== undefined) out.push(p.part);
      else if (p.compound !== undefined) out.push(p.compound);
    });
    return out;
  }

  function baseKey(s) {
    return Array.from(s).slice(0, 2).join('');
  }

  // ---- Queries (parse_query in query.rs) ----------------------------------
  function parseQuery(q) {
    var toks = []; // [token, parts]
    var phrases = [];
    q.split(QUOTE_RE).forEach(function (segment, i) {
      var from = toks.length;
      pieces(segment, function (p) {
        if (p.part !== undefined) {
          toks.push([p.part, []]);
        } else if (p.compound !== undefined) {
          var parts = toks.splice(toks.length - p.parts, p.parts).map(function (t) { return t[0]; })
            .filter(function (t) { return !STOP.has(t); });
          toks.push([p.compound, parts]);
        }
      });
      if (i % 2 === 1) {
        var phrase = [];
        toks.slice(from).forEach(function (t) {
          (t[1].length ? t[1] : [t[0]]).forEach(function (x) { if (!STOP.has(x)) phrase.push(x); });
        });
        if (phrase.length >= 2) phrases.push(phrase);
      }
    });
    var openEnd = WORD_END_RE.test(q);
    var last = toks.length ? toks[toks.length - 1][0] : null;
    var seen = new Set();
    var list = toks.filter(function (t) {
      if (seen.has(t[0])) return false;
      seen.add(t[0]);
      return true;
    });
    var prefixWord = openEnd && list.length && list[list.length - 1][0] === last ? last : null;
    if (list.some(function (w) { return !STOP.has(w[0]); })) {
      list = list.filter(function (w) { return !STOP.has(w[0]); });
    }
    list = list.slice(0, MAX_WORDS);
    var words = list.map(function (w, i) {
      return {
        word: w[0],
        prefix: i === list.length - 1 && w[0] === prefixWord && cpLen(w[0]) >= MIN_PREFIX_CHARS,
        parts: w[1]
      };
    });
    return { words: words, phrases: phrases };
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
    var dir = rel.slice(0, 2);
    return dir === 't/' || dir === 'p/' || dir === 'q/' || dir === 'v/' ? dir + keyFile(rel.slice(2)) : rel;
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

  function has(o, k) {
    return Object.prototype.hasOwnProperty.call(o, k);
  }

  function cmp(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /* Postings: (doc id, weight) pairs; with weights false, gaps alone. */
  function decode(p, weights, f) {
    var i = 0, prev = -1, len = p.length;
    while (i < len) {
      var gap = 0, d;
      do { d = DIGIT[p.charCodeAt(i++)]; gap = gap * 32 + (d & 31); } while (d >= 32);
      var id = prev + 1 + gap;
      prev = id;
      f(id, weights ? DIGIT[p.charCodeAt(i++)] : 0);
    }
  }

  /* Optimal string alignment distance of code point arrays, or max + 1. */
  function editDistance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var n = a.length, m = b.length, j;
    var prev2 = new Array(m + 1).fill(0), prev = [], cur = new Array(m + 1).fill(0);
    for (j = 0; j <= m; j++) prev.push(j);
    for (var i = 1; i <= n; i++) {
      cur[0] = i;
      var rowMin = i;
      for (j = 1; j <= m; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur[j] = v;
        if (v < rowMin) rowMin = v;
      }
      if (rowMin > max) return max + 1;
      var t = prev2; prev2 = prev; prev = cur; cur = t;
    }
    return Math.min(prev[m], max + 1);
  }

  function maxEdits(chars) {
    return chars >= 8 ? 2 : 1;
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
    this.phrases = Object.create(null);
    this.vocab = Object.create(null);
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

  /* Loads term shards (cx.used records them, for highlighting). */
  Engine.prototype.loadShards = async function (cx, keys) {
    var self = this;
    await Promise.all(keys.map(async function (k) {
      cx.used.add(k);
      if (!(k in self.shards)) {
        var s = await load('t/' + k);
        self.shards[k] = s || { t: {}, f: {} };
      }
    }));
  };

  Engine.prototype.loadFor = function (cx, s) {
    var k = this.shardFor(s);
    return this.loadShards(cx, k ? [k] : []);
  };

  Engine.prototype.term = function (t) {
    var k = this.shardFor(t);
    var s = k && this.shards[k];
    return s && has(s.t, t) ? s.t[t] : null;
  };

  Engine.prototype.exactTerms = async function (cx, word) {
    var out = [];
    var k = this.shardFor(word);
    if (!k) return out;
    var shard = this.shards[k];
    if (has(shard.t, word)) out.push(word);
    if (has(shard.f, word)) {
      var t = shard.f[word];
      await this.loadFor(cx, t);
      if (this.term(t) && out.indexOf(t) < 0) out.push(t);
    }
    return out;
  };

  Engine.prototype.candidates = async function (cx, w) {
    var self = this;
    await this.loadFor(cx, w.word);
    var prefixKeys = [];
    if (w.prefix) {
      var own = this.shardFor(w.word);
      if (own) prefixKeys.push(own);
      var children = this.keys.filter(function (k) { return k.length > w.word.length && k.startsWith(w.word); });
      if (children.length <= MAX_PREFIX_SHARDS) prefixKeys = prefixKeys.concat(children);
      await this.loadShards(cx, prefixKeys);
    }
    var exact = await this.exactTerms(cx, w.word);
    var other = [];
    if (w.prefix) {
      var exp = [];
      prefixKeys.forEach(function (k) {
        var shard = self.shards[k];
        Object.keys(shard.t).forEach(function (t) { if (t.startsWith(w.word)) exp.push(t); });
        Object.keys(shard.f).forEach(function (f) { if (f.startsWith(w.word)) exp.push(shard.f[f]); });
      });
      exp = Array.from(new Set(exp)).filter(function (t) { return exact.indexOf(t) < 0; });
      var keys = new Set();
      exp.forEach(function (t) { var k = self.shardFor(t); if (k) keys.add(k); });
      await this.loadShards(cx, Array.from(keys));
      exp = exp.map(function (t) { var p = self.term(t); return p ? [t, p[1]] : null; })
        .filter(Boolean);
      exp.sort(function (a, b) { return b[1] - a[1] || cmp(a[0], b[0]); });
      other = exp.slice(0, MAX_EXPANSIONS).map(function (e) { return e[0]; });
    }
    return { exact: exact, other: other };
  };

  Engine.prototype.dfOf = function (c) {
    var self = this, sum = 0;
    c.exact.concat(c.other).forEach(function (t) { var p = self.term(t); if (p) sum += p[1]; });
    return sum;
  };

  Engine.prototype.corrections = async function (w) {
    var chars = Array.from(w.word);
    var min = TYPO_MIN_CHARS + (w.prefix ? 1 : 0);
    if (chars.length < min || !ALPHA_RE.test(w.word)) return [];
    var stemChars = Math.max(chars.length - 3, TYPO_MIN_CHARS + 1);
    var max = maxEdits(chars.length);
    var bases = [chars[0] + chars[1]];
    var swapped = chars[1] + chars[0];
    if (swapped !== bases[0]) bases.push(swapped);
    var found = [];
    for (var base of bases) {
      if (!this.keys.some(function (k) { return baseKey(k) === base; })) continue;
      if (!(base in this.vocab)) this.vocab[base] = (await load('v/' + base)) || [];
      this.vocab[base].forEach(function (e) {
        var word = e[0];
        if (word === w.word) return;
        var wc = Array.from(word);
        var d = editDistance(chars, wc, max);
        if (w.prefix && wc.length > chars.length) d = Math.min(d, editDistance(chars, wc.slice(0, chars.length), max));
        if (d > 1 && stemChars < chars.length && wc.length >= stemChars &&
            Math.abs(wc.length - chars.length) <= 3 &&
            wc.slice(0, stemChars).join('') === chars.slice(0, stemChars).join('')) d = 1;
        if (d <= max) found.push([d, e[1], word]);
      });
    }
    found.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1] || cmp(a[2], b[2]); });
    return found.slice(0, MAX_CORRECTIONS).map(function (f) { return f[2]; });
  };

  /* The postings of phrase `a b` (terms), following split files. */
  Engine.prototype.phrasePostings = async function (a, b) {
    var k = this.shardFor(a);
    if (!k) return null;
    var phrase = a + ' ' + b;
    var rel = 'p/' + k;
    for (;;) {
      if (!(rel in this.phrases)) this.phrases[rel] = (await load(rel)) || { p: {}, s: [] };
      var shard = this.phrases[rel];
      if (has(shard.p, phrase)) return shard.p[phrase];
      var best = null;
      shard.s.forEach(function (s) { if (phrase.startsWith(s) && (best === null || s.length > best.length)) best = s; });
      if (best === null) return null;
      rel = 'q/' + best;
    }
  };

  Engine.prototype.phraseDocs = async function (cx, phrase) {
    var n = this.n;
    var ok = new Uint8Array(n).fill(1);
    for (var i = 0; i + 1 < phrase.length; i++) {
      var alts = [];
      for (var w of [phrase[i], phrase[i + 1]]) {
        await this.loadFor(cx, w);
        var terms = await this.exactTerms(cx, w);
        if (!terms.length) {
          for (var fix of await this.corrections({ word: w, prefix: false, parts: [] })) {
            await this.loadFor(cx, fix);
            terms = terms.concat(await this.exactTerms(cx, fix));
          }
        }
        alts.push(terms);
      }
      var here = new Uint8Array(n);
      for (var a of alts[0]) {
        for (var b of alts[1]) {
          var p = await this.phrasePostings(a, b);
          if (p !== null) decode(p, false, function (id) { here[id] = 1; });
        }
      }
      for (var j = 0; j < n; j++) ok[j] = ok[j] & here[j];
    }
    return ok;
  };

  /* Runs a query: {words, ids, scores, matched, every, terms, corrections, used}. */
  Engine.prototype.rank = async function (query) {
    var cx = { used: new Set() };
    var words = [], cands = [];
    for (var w of query.words) {
      var c = await this.candidates(cx, w);
      if (!c.exact.length && !c.other.length && w.parts.length) {
        var np = w.parts.length;
        for (var i = 0; i < np; i++) {
          var p = w.parts[i];
          if (words.some(function (x) { return x.word === p; })) continue;
          var pw = { word: p, prefix: w.prefix && i + 1 === np && cpLen(p) >= MIN_PREFIX_CHARS, parts: [] };
          cands.push(await this.candidates(cx, pw));
          words.push(pw);
        }
      } else {
        words.push(w);
        cands.push(c);
      }
    }
    var phraseOk = null;
    if (query.phrases.length) {
      phraseOk = new Uint8Array(this.n).fill(1);
      for (var ph of query.phrases) {
        var d = await this.phraseDocs(cx, ph);
        for (var j = 0; j < this.n; j++) phraseOk[j] = phraseOk[j] & d[j];
      }
    }
    var r = this.score(cands, phraseOk);
    var corrections = [];
    var all = cands.length;
    var full = r.ids.filter(function (id) { return r.matched[id] === all; }).length;
    if (full < TYPO_MIN_RESULTS) {
      var changed = false;
      for (var wi = 0; wi < words.length; wi++) {
        var cw = cands[wi];
        if (this.dfOf(cw) >= TYPO_MIN_RESULTS) continue;
        for (var fix of await this.corrections(words[wi])) {
          await this.loadFor(cx, fix);
          for (var t of await this.exactTerms(cx, fix)) {
            if (cw.exact.indexOf(t) < 0 && cw.other.indexOf(t) < 0) {
              cw.other.push(t);
              changed = true;
            }
          }
          corrections.push(fix);
        }
      }
      if (changed) r = this.score(cands, phraseOk);
    }
    var terms = new Set();
    cands.forEach(function (c) { c.exact.concat(c.other).forEach(function (t) { terms.add(t); }); });
    r.words = words;
    r.terms = terms;
    r.corrections = corrections;
    r.hl = this.highlight(cx, r);
    return r;
  };

  Engine.prototype.score = function (cands, phraseOk) {
    var n = this.n, self = this;
    var total = new Float64Array(n);
    var matched = new Uint8Array(n);
    var best = new Float64Array(n);
    var touched = [];
    var any = [];
    cands.forEach(function (c) {
      touched.length = 0;
      var shared = Infinity;
      c.exact.concat(c.other).forEach(function (t) { var p = self.term(t); if (p && p[0] < shared) shared = p[0]; });
      if (shared === Infinity) shared = 0;
      var list = c.exact.map(function (t) { return [t, true]; })
        .concat(c.other.map(function (t) { return [t, false]; }));
      list.forEach(function (e) {
        var info = self.term(e[0]);
        if (!info) return;
        var idf = e[1] ? info[0] : shared, mult = e[1] ? EXACT : 1;
        decode(info[2], true, function (id, weight) {
          var s = idf * weight * mult;
          if (best[id] === 0) touched.push(id);
          if (s > best[id]) best[id] = s;
        });
      });
      for (var k = 0; k < touched.length; k++) {
        var id = touched[k];
        if (matched[id] === 0) any.push(id);
        total[id] += best[id];
        matched[id]++;
        best[id] = 0;
      }
    });
    var all = cands.length;
    var ids = any.filter(function (id) { return matched[id] === all && (!phraseOk || phraseOk[id]); });
    var every = ids.length > 0 || all <= 1;
    if (!ids.length && !phraseOk) ids = any;
    ids.sort(function (a, b) {
      return matched[b] - matched[a] || total[b] - total[a] || a - b;
    });
    return { ids: ids, scores: total, matched: matched, every: every && ids.length > 0 };
  };

  /* What snippets and titles highlight (highlight() in query.rs). */
  Engine.prototype.highlight = function (cx, r) {
    var self = this;
    var words = new Set(r.terms);
    cx.used.forEach(function (k) {
      var s = self.shards[k];
      if (!s) return;
      Object.keys(s.f).forEach(function (f) { if (r.terms.has(s.f[f])) words.add(f); });
    });
    r.words.forEach(function (w) { words.add(w.word); w.parts.forEach(function (p) { words.add(p); }); });
    r.corrections.forEach(function (c) { words.add(c); });
    return { words: words, prefixes: r.words.filter(function (w) { return w.prefix; }).map(function (w) { return w.word; }) };
  };

  Engine.prototype.doc = function (id) {
    var self = this;
    var c = Math.floor(id / this.perChunk);
    return load('d/' + c).then(function (chunk) {
      var d = chunk && chunk[id % self.perChunk];
      if (!d) return null;
      return { id: id, url: d[0], title: d[1], kind: d[2], language: d[3], text: d[4], group: d[5] };
    });
  };

  Engine.prototype.query = async function (q) {
    var t0 = performance.now();
    var r = await this.rank(parseQuery(q));
    r.ms = performance.now() - t0;
    return r;
  };

  /* group_hits() in query.rs: each result of a group moves up to just
   * after the group's best result. */
  function groupDocs(docs) {
    var out = [];
    docs.forEach(function (d) {
      var at = -1;
      if (d.group) for (var i = out.length - 1; i >= 0; i--) if (out[i].group === d.group) { at = i; break; }
      if (at >= 0) out.splice(at + 1, 0, d); else out.push(d);
    });
    return out;
  }

  // ---- Highlighting and snippets (snippet() in query.rs) -------------------
  function tokenMatches(t, hl) {
    if (hl.words.has(t)) return true;
    for (var i = 0; i < hl.prefixes.length; i++) if (t.startsWith(hl.prefixes[i])) return true;
    return false;
  }

  /* [start, end, isHit] of each raw word of text. */
  function scan(text, hl) {
    var out = [];
    var m;
    WORD_RE.lastIndex = 0;
    while ((m = WORD_RE.exec(text))) {
      var hit = wordTokens(m[0]).some(function (t) { return tokenMatches(t, hl); });
      out.push([m.index, m.index + m[0].length, hit]);
    }
    return out;
  }

  /* {text, ranges} for a snippet of a document's text. */
  function snippet(text, hl) {
    var all = scan(text, hl);
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

  function titleRanges(title, hl) {
    return scan(title, hl).filter(function (w) { return w[2]; }).map(function (w) { return [w[0], w[1]]; });
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

  function pageLanguage() {
    return (document.documentElement.getAttribute('lang') || 'en').toLowerCase();
  }

  /* One result's content: badge, language (if not the page's), title,
   * snippet. */
  function fillResult(li, d, hl, titleTag) {
    li.appendChild(el('span', 'cs-badge cs-badge-' + d.kind, KIND_LABEL[d.kind] || d.kind));
    var title = el(titleTag, 'cs-title');
    appendMarked(title, d.title, titleRanges(d.title, hl));
    if (d.language && d.language.toLowerCase() !== pageLanguage()) {
      var lang = el('span', 'cs-lang', LANG_LABEL[d.language] || d.language);
      lang.lang = d.language;
      title.appendChild(lang);
    }
    li.appendChild(title);
    var sn = snippet(d.text, hl);
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
      if (res.r.corrections.length) note('cs-note', 'Including similar words: ' + res.r.corrections.join(', '));
      groupDocs(res.docs).forEach(function (d, i, all) {
        var li = el('li', 'cs-option' + (i > 0 && d.group && all[i - 1].group === d.group ? ' cs-translation' : ''));
        fillResult(li, d, res.r.hl, 'span');
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
      if (r.corrections.length) {
        this.results.appendChild(el('p', 'cs-note', 'Including similar words: ' + r.corrections.join(', ') + '.'));
      }
      var ol = el('ol', 'cs-results');
      groupDocs(docs).forEach(function (d, i, all) {
        var translation = i > 0 && d.group && all[i - 1].group === d.group;
        var li = el('li', 'cs-result' + (translation ? ' cs-translation' : ''));
        var a = el('a', 'cs-result-link');
        a.href = hrefOf(d.url);
        fillResult(a, d, r.hl, 'span');
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
              corrections: r.corrections,
              hits: groupDocs(docs).map(function (d) {
                return {
                  url: d.url, kind: d.kind, title: d.title, language: d.language, group: d.group,
                  snippet: snippet(d.text, r.hl).text, score: r.scores[d.id] / SCORE_SCALE
                };
              })
            };
          });
        });
      });
    },
    tokens: tokens,
    parseQuery: parseQuery
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
