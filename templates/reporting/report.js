/* Pecyn completion reporting (packages built with --tracker-url only): events
 * to the tracker's POST /api/v1/events, each with a UUID made once, queued in
 * localStorage (bounded) until the tracker has judged them. Off the learner's
 * path: deferred, silent, never throws. ES5; see docs/tracker.md. */
(function (root) {
  'use strict';

  var MAX_EVENTS = 100, MAX_BYTES = 32768, BATCH = 25, WAIT = 20000, RETRY = 60000;
  var conf, store, name, mem = [], sending = {}, held = {}, busy = false, retryAt = 0;

  function quiet(fn) { return function (a, b) { try { fn(a, b); } catch (e) { /* never reaches the learner */ } }; }
  function later(fn, ms) { setTimeout(quiet(fn), ms || 0); }
  function now() { return new Date().getTime(); }

  /* The queue: localStorage if allowed, else memory. */
  function load() {
    try { var q = store ? JSON.parse(store.getItem(name) || '[]') : mem.slice(); return q instanceof Array ? q : []; } catch (e) { return []; }
  }
  /* Keeps the newest events within MAX_EVENTS and MAX_BYTES. */
  function save(q) {
    var text = JSON.stringify(q = q.slice(-MAX_EVENTS));
    while (q.length && text.length > MAX_BYTES) { q.shift(); text = JSON.stringify(q); }
    try { if (store) { store.setItem(name, text); return; } } catch (e) { store = null; }
    mem = q;
  }
  function drop(ids) {
    var q = load(), keep = [];
    for (var i = 0; i < q.length; i++) { if (!ids[q[i].id]) { keep.push(q[i]); } }
    save(keep);
  }

  function uuid() {
    var b = new Uint8Array(16), h = '', i;
    root.crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    for (i = 0; i < 16; i++) { h += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + (b[i] + 256).toString(16).substring(1); }
    return h;
  }
  /* SCORM 1.2 HHHH:MM:SS.SS or 2004 P[nD]T[nH][nM][n.nnS] → seconds. */
  function seconds(t) {
    var m = /^(\d+):(\d+):([\d.]+)$/.exec(t = String(t || '')), d = 0;
    if (!m && (m = /^P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(t))) { d = +(m[1] || 0); m = m.slice(1); }
    return m ? ((d * 24 + +(m[1] || 0)) * 60 + +(m[2] || 0)) * 60 + (parseFloat(m[3]) || 0) : 0;
  }

  /* done(settled, rejected): settled on 200 or 400 (every event judged); not
   * when offline, blocked, slow, 401/403/429/5xx. */
  function post(body, done) {
    var ctl = root.AbortController ? new root.AbortController() : null, over = false;
    function end(status, answer) {
      if (!over) { over = true; done(status === 200 || status === 400, (answer && answer.rejected) || []); }
    }
    var timer = setTimeout(quiet(function () { if (ctl) { ctl.abort(); } end(0); }), WAIT);
    try {
      root.fetch(conf.url, { method: 'POST', body: body, keepalive: true, credentials: 'omit', signal: ctl ? ctl.signal : undefined,
        headers: { 'Authorization': 'Bearer ' + conf.key, 'Content-Type': 'application/json' } })
        .then(function (r) {
          clearTimeout(timer);
          return r.json().then(function (j) { end(r.status, j); }, function () { end(r.status === 200 ? 200 : 0); });
        }).then(null, function () { clearTimeout(timer); end(0); });
    } catch (e) { clearTimeout(timer); end(0); }
  }

  /* One request at a time; on pagehide, all that is left (keepalive). */
  function flush(closing) {
    if (!conf || (!closing && (busy || now() < retryAt))) { return; }
    var q = load(), batch = [], ids = {};
    for (var i = 0; i < q.length && batch.length < BATCH; i++) {
      var id = q[i].id;
      if (!sending[id] && !held[id]) { batch.push(q[i]); ids[id] = sending[id] = true; }
    }
    if (!batch.length) { return; }
    busy = true;
    post(JSON.stringify(batch), quiet(function (settled, rejected) {
      for (var k in ids) { if (ids.hasOwnProperty(k)) { delete sending[k]; } }
      busy = false;
      if (!settled) { retryAt = now() + RETRY; later(flush, RETRY); return; }
      /* Not in the tracker's catalogue (yet), or its catalogue unavailable:
       * kept for the next launch. Everything else is settled. */
      for (var j = 0; j < rejected.length; j++) {
        var r = rejected[j] || {};
        if (ids[r.id] && (r.code === 'unknown_package' || r.code === 'unavailable')) { delete ids[r.id]; held[r.id] = true; }
      }
      drop(ids);
      later(flush);
    }));
    if (closing) { flush(true); }
  }

  /* Called by the SCORM runtime: queue now, send later. */
  function event(verb, f) {
    var learner = String(f.learner || '').substring(0, 256), s = f.score;
    if (!conf || !learner) { return; }
    var e = { id: uuid(), learner: learner, 'package': conf['package'], version: conf.version, verb: verb,
      timestamp: new Date().toISOString(), duration_seconds: Math.min(Math.round(seconds(f.total) + f.ms / 1000), 31536000) };
    if (typeof s === 'number' && s >= 0 && s <= 100) { e.score = s; }
    var q = load();
    q.push(e);
    save(q);
    later(flush);
  }

  quiet(function () {
    var c = JSON.parse(root.document.getElementById('pecyn-config').textContent).report;
    if (!c || !root.fetch || !root.crypto || !root.JSON) { return; }
    conf = c;
    name = 'pecyn-report:' + c.url + '#' + c.key.split('_')[1];
    try { store = root.localStorage; store.getItem(name); } catch (e) { store = null; }
    root.addEventListener('online', quiet(function () { retryAt = 0; flush(); }), false);
    root.addEventListener('pagehide', quiet(function () { flush(true); }), false);
    root.PecynReport = { event: quiet(event) };
    later(flush);
  })();
}(window));
