/* Pecyn SCORM runtime: finds the LMS API, keeps one session, records status,
 * score, time, interactions and the bookmark. ES5, no dependencies, never
 * throws into the page: every failure is logged to the console and reported
 * through the `onError` callback. See docs/player.md. */
(function (root) {
  'use strict';

  var MAX_DEPTH = 10;
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

  function log(msg) {
    try {
      if (root.console && root.console.warn) { root.console.warn('[pecyn] ' + msg); }
    } catch (e) { /* nothing to do */ }
  }

  /* ---------- suspend_data: fixed-width, six bits per character ---------- */

  function digits(n) {
    var d = 1, cap = 64;
    while (n > cap) { d += 1; cap *= 64; }
    return d;
  }
  function put(n, width) {
    var s = '';
    for (var i = 0; i < width; i++) { s = B64.charAt(n & 63) + s; n = Math.floor(n / 64); }
    return s;
  }
  function take(s, pos, width) {
    var n = 0;
    for (var i = 0; i < width; i++) {
      var v = B64.indexOf(s.charAt(pos + i));
      if (v < 0) { return -1; }
      n = n * 64 + v;
    }
    return n;
  }
  function bitsOut(bits) {
    var s = '';
    for (var i = 0; i < bits.length; i += 6) {
      var v = 0;
      for (var j = 0; j < 6 && i + j < bits.length; j++) { if (bits[i + j]) { v |= 1 << j; } }
      s += B64.charAt(v);
    }
    return s;
  }
  function questionsOf(cfg) { return cfg.checks.concat(cfg.quiz); }

  /* state: {page, visited: [bool], answers: [[bool per option] per check then quiz question],
   *         submitted: bool, passed: bool, attempts: int} */
  function encode(cfg, st) {
    var pages = cfg.pages.length, qs = questionsOf(cfg), s = '1';
    s += put(cfg.fingerprint & 4095, 2);
    s += put(Math.min(Math.max(st.page, 0), pages - 1), digits(pages));
    var v = [];
    for (var i = 0; i < pages; i++) { v.push(!!st.visited[i]); }
    s += bitsOut(v);
    for (var q = 0; q < qs.length; q++) {
      var a = st.answers[q] || [], bits = [];
      for (var o = 0; o < qs[q].options; o++) { bits.push(!!a[o]); }
      s += bitsOut(bits);
    }
    s += B64.charAt((st.submitted ? 1 : 0) | (st.passed ? 2 : 0));
    s += put(Math.min(st.attempts, 4095), 2);
    return s;
  }
  function bitsIn(s, pos, count) {
    var out = [];
    for (var i = 0; i < count; i++) {
      var v = B64.indexOf(s.charAt(pos + Math.floor(i / 6)));
      out.push(v >= 0 && ((v >> (i % 6)) & 1) === 1);
    }
    return out;
  }
  /* Returns null for anything that is not a bookmark of this module. */
  function decode(cfg, s) {
    var pages = cfg.pages.length, qs = questionsOf(cfg);
    if (typeof s !== 'string' || s.charAt(0) !== '1') { return null; }
    if (!/^[A-Za-z0-9_-]*$/.test(s.substring(1))) { return null; }
    var want = 1 + 2 + digits(pages) + Math.ceil(pages / 6) + 1 + 2, i;
    for (i = 0; i < qs.length; i++) { want += Math.ceil(qs[i].options / 6); }
    if (s.length !== want || take(s, 1, 2) !== (cfg.fingerprint & 4095)) { return null; }
    var pos = 3, st = { answers: [] };
    st.page = take(s, pos, digits(pages)); pos += digits(pages);
    if (st.page < 0 || st.page >= pages) { return null; }
    st.visited = bitsIn(s, pos, pages); pos += Math.ceil(pages / 6);
    for (i = 0; i < qs.length; i++) {
      st.answers.push(bitsIn(s, pos, qs[i].options)); pos += Math.ceil(qs[i].options / 6);
    }
    var f = B64.indexOf(s.charAt(pos));
    st.submitted = (f & 1) === 1; st.passed = (f & 2) === 2;
    st.attempts = take(s, pos + 1, 2);
    return st;
  }

  /* ---------- scoring: the same numbers the LMS is told ---------- */

  /* raw = floor(correct × 10000 / total) / 100: never rounds up into a pass. */
  function score(correct, total, passMark) {
    var raw = total > 0 ? Math.floor(correct * 10000 / total) / 100 : 100;
    return { raw: raw, scaled: raw / 100, passed: raw >= passMark };
  }

  /* ---------- time formats ---------- */

  function pad(n, w) { var s = String(n); while (s.length < w) { s = '0' + s; } return s; }
  /* SCORM 1.2 CMITimespan: HHHH:MM:SS.SS */
  function time12(ms) {
    var cs = Math.floor(ms / 10), h = Math.floor(cs / 360000);
    if (h > 9999) { return '9999:59:59.99'; }
    return pad(h, 4) + ':' + pad(Math.floor(cs / 6000) % 60, 2) + ':' + pad(Math.floor(cs / 100) % 60, 2) + '.' + pad(cs % 100, 2);
  }
  /* SCORM 2004 timeinterval (ISO 8601 duration): PT#H#M#.##S */
  function time2004(ms) {
    var cs = Math.floor(ms / 10), h = Math.floor(cs / 360000), m = Math.floor(cs / 6000) % 60;
    var s = (cs % 6000) / 100, out = 'PT';
    if (h) { out += h + 'H'; }
    if (m) { out += m + 'M'; }
    if (s || (!h && !m)) { out += (Math.round(s * 100) / 100) + 'S'; }
    return out;
  }
  function stamp(d, full) {
    var t = pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2);
    return full ? d.getFullYear() + '-' + pad(d.getMonth() + 1, 2) + '-' + pad(d.getDate(), 2) + 'T' + t : t;
  }

  /* ---------- API discovery: parents up to MAX_DEPTH, then the opener chain ---------- */

  function climb(win, name) {
    for (var depth = 0; win && depth <= MAX_DEPTH; depth++) {
      try {
        if (win[name]) { return win[name]; }
        if (!win.parent || win.parent === win) { return null; }
        win = win.parent;
      } catch (e) { return null; } /* cross-origin frame: stop climbing */
    }
    return null;
  }
  function discover(name, start) {
    var win = start || root, api = climb(win, name);
    for (var hops = 0; !api && hops < MAX_DEPTH; hops++) {
      try { win = win.top && win.top.opener ? win.top.opener : win.opener; } catch (e) { win = null; }
      if (!win) { break; }
      api = climb(win, name);
    }
    return api || null;
  }

  /* ---------- the session ---------- */

  var NAMES = {
    '1.2': { api: 'API', init: 'LMSInitialize', term: 'LMSFinish', get: 'LMSGetValue', set: 'LMSSetValue',
      commit: 'LMSCommit', err: 'LMSGetLastError', str: 'LMSGetErrorString', diag: 'LMSGetDiagnostic' },
    '2004': { api: 'API_1484_11', init: 'Initialize', term: 'Terminate', get: 'GetValue', set: 'SetValue',
      commit: 'Commit', err: 'GetLastError', str: 'GetErrorString', diag: 'GetDiagnostic' }
  };

  function Session(version, opts) {
    this.v = version === '1.2' ? '1.2' : '2004';
    this.n = NAMES[this.v];
    this.opts = opts || {};
    this.api = null;
    this.state = 'none'; /* none → open → closed; never reopened */
    this.started = new Date().getTime();
    this.failures = 0;
    this.passed = false;
    this.interactions = 0;
  }
  var S = Session.prototype;

  S.raw = function (fn, args) {
    var api = this.api;
    try {
      var r = api[this.n[fn]].apply(api, args || []);
      return r === undefined || r === null ? '' : String(r);
    } catch (e) {
      this.fail(this.n[fn] + ' threw: ' + (e && e.message));
      return null;
    }
  };
  S.lastError = function () {
    var code = this.raw('err');
    return code === null || code === '' ? '0' : code;
  };
  S.fail = function (what) {
    this.failures += 1;
    log(what);
    if (this.opts.onError) { try { this.opts.onError(what); } catch (e) { /* ignore */ } }
  };
  S.report = function (what) {
    var code = this.lastError(), msg = this.raw('str', [code]), diag = this.raw('diag', [code]);
    this.fail(what + ' failed: error ' + code + (msg ? ' (' + msg + ')' : '') + (diag && diag !== msg ? ' ' + diag : ''));
  };
  /* Initialize exactly once. Returns true when an LMS session is open. */
  S.open = function () {
    if (this.state !== 'none') { return this.state === 'open'; }
    this.state = 'closed';
    this.api = discover(this.n.api);
    if (!this.api) { return false; }
    var r = this.raw('init', ['']);
    if (r !== 'true') { this.report(this.n.init); return false; }
    this.state = 'open';
    this.started = new Date().getTime();
    var count = parseInt(this.get('cmi.interactions._count'), 10);
    this.interactions = isNaN(count) ? 0 : count;
    return true;
  };
  S.get = function (el) {
    if (this.state !== 'open') { return ''; }
    var r = this.raw('get', [el]);
    var code = this.lastError();
    /* 403 (2004) is "not initialized": an empty element on first launch, not a failure. */
    if (code !== '0' && code !== '403') { this.report(this.n.get + '(' + el + ')'); return ''; }
    return r || '';
  };
  S.set = function (el, value) {
    if (this.state !== 'open') { return false; }
    var r = this.raw('set', [el, String(value)]);
    if (r !== 'true') { this.report(this.n.set + '(' + el + ', ' + value + ')'); return false; }
    return true;
  };
  S.commit = function () {
    if (this.state !== 'open') { return false; }
    var r = this.raw('commit', ['']);
    if (r !== 'true') { this.report(this.n.commit); return false; }
    return true;
  };
  S.is12 = function () { return this.v === '1.2'; };

  /* First launch: incomplete (never "not attempted"). Returns {entry, location, suspend, done}. */
  S.begin = function () {
    var info = { entry: '', location: '', suspend: '', status: '' };
    if (this.state !== 'open') { return info; }
    if (this.is12()) {
      info.entry = this.get('cmi.core.entry');
      info.status = this.get('cmi.core.lesson_status');
      this.passed = info.status === 'passed';
      if (info.status === '' || info.status === 'not attempted' || info.status === 'browsed') {
        this.set('cmi.core.lesson_status', 'incomplete');
      }
      info.location = this.get('cmi.core.lesson_location');
    } else {
      info.entry = this.get('cmi.entry');
      info.status = this.get('cmi.completion_status');
      this.passed = this.get('cmi.success_status') === 'passed';
      if (info.status !== 'completed' && info.status !== 'incomplete') {
        this.set('cmi.completion_status', 'incomplete');
      }
      info.location = this.get('cmi.location');
    }
    info.suspend = this.get('cmi.suspend_data');
    this.setExit();
    this.commit();
    this.reportBegin(info.status);
    return info;
  };
  S.setExit = function () {
    if (this.is12()) { this.set('cmi.core.exit', this.passed ? '' : 'suspend'); } else { this.set('cmi.exit', this.passed ? 'normal' : 'suspend'); }
  };
  S.bookmark = function (location, suspend) {
    this.set(this.is12() ? 'cmi.core.lesson_location' : 'cmi.location', location);
    this.set('cmi.suspend_data', suspend);
  };
  /* answers: [{id, correct, response: [index], pattern: [index]}] */
  S.record = function (answers) {
    if (this.state !== 'open') { return; }
    var now = new Date(), sep = this.is12() ? ',' : '[,]';
    for (var i = 0; i < answers.length; i++) {
      var a = answers[i], p = 'cmi.interactions.' + this.interactions + '.';
      if (!this.set(p + 'id', a.id)) { return; }
      this.set(p + 'type', 'choice');
      if (!this.is12() && a.text) { this.set(p + 'description', a.text); } /* 2004: the question */
      this.set(p + (this.is12() ? 'time' : 'timestamp'), stamp(now, !this.is12()));
      this.set(p + 'correct_responses.0.pattern', letters(a.pattern).join(sep));
      this.set(p + (this.is12() ? 'student_response' : 'learner_response'), letters(a.response).join(sep));
      this.set(p + 'result', a.correct ? 'correct' : (this.is12() ? 'wrong' : 'incorrect'));
      this.interactions += 1;
    }
  };
  /* The quiz is over: score, then status, then commit. A pass is never downgraded. */
  S.result = function (sc) {
    if (this.state !== 'open') { return; }
    var passed = sc.passed || this.passed, before = this.passed;
    if (this.is12()) {
      this.set('cmi.core.score.min', 0);
      this.set('cmi.core.score.max', 100);
      this.set('cmi.core.score.raw', sc.raw);
      this.set('cmi.core.lesson_status', passed ? 'passed' : 'failed');
    } else {
      this.set('cmi.score.min', 0);
      this.set('cmi.score.max', 100);
      this.set('cmi.score.raw', sc.raw);
      this.set('cmi.score.scaled', sc.scaled);
      this.set('cmi.success_status', passed ? 'passed' : 'failed');
      this.set('cmi.completion_status', 'completed');
    }
    this.passed = passed;
    this.setExit();
    this.commit();
    this.reportResult(sc.raw, before);
  };
  S.time = function () {
    var ms = new Date().getTime() - this.started;
    if (this.is12()) { this.set('cmi.core.session_time', time12(ms)); } else { this.set('cmi.session_time', time2004(ms)); }
  };
  /* visibilitychange to hidden: save now, in case the page never gets to finish. */
  S.save = function () {
    if (this.state !== 'open') { return; }
    this.time();
    this.commit();
  };
  /* Terminate exactly once; nothing is called afterwards. */
  S.finish = function () {
    if (this.state !== 'open') { return false; }
    this.setExit();
    this.time();
    this.commit();
    this.state = 'closed';
    var r = this.raw('term', ['']);
    if (r !== 'true') { this.report(this.n.term); return false; }
    return true;
  };

  /* ---------- reporting: events to assets/report.js (only with a tracker) ---------- */

  S.tell = function (verb, score) {
    var rep = root.PecynReport, api = this.api, p = this.is12() ? 'cmi.core.' : 'cmi.';
    if (!rep || this.state !== 'open') { return; }
    try {
      if (this.learner === undefined) {
        this.learner = api[this.n.get](p + (this.is12() ? 'student_id' : 'learner_id'));
        this.total = api[this.n.get](p + 'total_time');
      }
      rep.event(verb, { learner: this.learner, total: this.total, ms: new Date().getTime() - this.started, score: score });
    } catch (e) { /* never reaches the learner */ }
  };
  /* started on first launch; completed once; passed once, or failed. */
  S.reportBegin = function (status) {
    this.completed = /^(completed|passed|failed)$/.test(status);
    if (/^(|not attempted|browsed|unknown)$/.test(status)) { this.tell('started'); }
  };
  S.reportResult = function (raw, passedBefore) {
    if (!this.completed) { this.completed = true; this.tell('completed', raw); }
    if (!passedBefore) { this.tell(this.passed ? 'passed' : 'failed', raw); }
  };

  function letters(list) {
    var out = [];
    for (var i = 0; i < list.length; i++) { out.push(String.fromCharCode(97 + list[i])); }
    return out;
  }

  var PecynScorm = {
    Session: Session, discover: discover, encode: encode, decode: decode, score: score,
    time12: time12, time2004: time2004, digits: digits
  };
  root.PecynScorm = PecynScorm;
  if (typeof module === 'object' && module.exports) { module.exports = PecynScorm; }
}(typeof window !== 'undefined' ? window : this));
