/* Pecyn player: shows one page at a time, runs knowledge checks and the quiz,
 * and keeps the SCORM session (assets/scorm.js) up to date. ES5, no
 * framework, no build step. Every interface string comes from the package's
 * strings (the `strings` object of #pecyn-config). See docs/player.md. */
(function () {
  'use strict';
  var doc = document, cfg, T, session, connected = false;
  var pages = [], quizIndex, resultsIndex, current = 0, returnTo = 0;
  var state, questions = [];

  function $(id) { return doc.getElementById(id); }
  function fmt(key, vals) {
    var s = T[key] || '';
    for (var k in vals) { if (vals.hasOwnProperty(k)) { s = s.split('{' + k + '}').join(String(vals[k])); } }
    return s;
  }
  function show(el, on) { if (el) { if (on) { el.removeAttribute('hidden'); } else { el.setAttribute('hidden', ''); } } }
  function each(list, fn) { for (var i = 0; i < list.length; i++) { fn(list[i], i); } }
  function on(el, ev, fn) { if (el) { el.addEventListener(ev, fn, false); } }
  function text(el) { return (el && (el.textContent || '')).replace(/\s+/g, ' ').replace(/^ | $/g, ''); }

  function freshState() {
    var st = { page: 0, visited: [], answers: [], submitted: false, passed: false, attempts: 0 };
    each(pages, function () { st.visited.push(false); });
    each(questions, function (q) { st.answers.push(blank(q.options)); });
    return st;
  }
  function blank(n) { var a = []; for (var i = 0; i < n; i++) { a.push(false); } return a; }
  function any(a) { for (var i = 0; i < a.length; i++) { if (a[i]) { return true; } } return false; }
  function isRight(q, a) {
    for (var i = 0; i < q.options; i++) { if (!!a[i] !== (q.correct.indexOf(i) >= 0)) { return false; } }
    return true;
  }
  function indices(a) { var out = []; each(a, function (v, i) { if (v) { out.push(i); } }); return out; }

  /* ---------- answers in the form ---------- */

  function inputs(q) { return q.el ? q.el.getElementsByTagName('input') : []; }
  function readForm(q) { var a = blank(q.options); each(inputs(q), function (inp, i) { a[i] = inp.checked; }); return a; }
  function writeForm(q, a) { each(inputs(q), function (inp, i) { inp.checked = !!a[i]; }); }

  /* ---------- bookmark ---------- */

  function bookmark(commit) {
    if (!connected) { return; }
    var data = PecynScorm.encode(cfg, state);
    session.bookmark(pages[state.page], data);
    if (commit) { session.commit(); }
  }

  /* ---------- pages ---------- */

  function sectionOf(i) { return i === 'about' ? $('page-about') : $('page-' + pages[i]); }
  function go(i, focus, quiet) {
    if (i !== 'about' && (i < 0 || i >= pages.length)) { return; }
    if (i === resultsIndex && !state.submitted) { i = quizIndex; }
    if (i === 'about' && current !== 'about') { returnTo = current; }
    current = i;
    each(doc.querySelectorAll('main > .page'), function (s) { show(s, false); });
    var sec = sectionOf(i);
    show(sec, true);
    each(doc.querySelectorAll('a[data-page]'), function (a) {
      if (a.getAttribute('data-page') === (i === 'about' ? 'about' : pages[i])) { a.setAttribute('aria-current', 'page'); } else { a.removeAttribute('aria-current'); }
    });
    var back = $('back-button'), next = $('next-button');
    back.disabled = i === 0;
    next.disabled = i === 'about' || i === resultsIndex || (i === quizIndex && !state.submitted);
    $('progress').textContent = i === 'about' ? '' : fmt('progress', { page: i + 1, total: pages.length });
    if (i === resultsIndex) { showResults(); }
    if (i !== 'about' && !quiet) {
      state.page = i;
      state.visited[i] = true;
      bookmark(true);
    }
    if (focus) {
      if (doc.documentElement.className.indexOf('navigated') < 0) { doc.documentElement.className += ' navigated'; }
      try { window.scrollTo(0, 0); } catch (e) { /* ignore */ }
      var h = sec.getElementsByTagName('h1')[0];
      if (h) { h.focus(); }
    }
  }

  /* ---------- knowledge checks ---------- */

  function para(cls, content) {
    var p = doc.createElement('p');
    if (cls) { p.className = cls; }
    if (typeof content === 'string') { p.textContent = content; } else if (content) { p.appendChild(content); }
    return p;
  }
  function optionLabel(q, i) { var inp = inputs(q)[i]; return inp ? text(doc.querySelector('label[for="' + inp.id + '"]')) : ''; }
  /* A list of options, each with the feedback the authors wrote for it. */
  function optionList(q, chosen) {
    var fbs = q.el.querySelectorAll('.option-feedback [data-option]');
    var list = doc.createElement('ul');
    each(chosen, function (i) {
      var li = doc.createElement('li');
      li.appendChild(para('chosen', optionLabel(q, i)));
      var fb = doc.createElement('div');
      if (fbs[i]) { each(fbs[i].childNodes, function (n) { fb.appendChild(n.cloneNode(true)); }); }
      li.appendChild(fb);
      list.appendChild(li);
    });
    return list;
  }
  function verdictOf(right) {
    var v = doc.createElement('strong');
    v.textContent = (right ? '\u2713 ' : '\u2717 ') + T[right ? 'correct' : 'incorrect'];
    return v;
  }
  function showFeedback(q, a) {
    var box = $('feedback-' + q.id);
    if (!box) { return; }
    while (box.firstChild) { box.removeChild(box.firstChild); }
    if (!any(a)) { return; }
    var right = isRight(q, a);
    box.className = 'feedback ' + (right ? 'feedback-correct' : 'feedback-incorrect');
    box.appendChild(para('verdict', verdictOf(right)));
    box.appendChild(para('', T.you_chose));
    box.appendChild(optionList(q, indices(a)));
    var missed = [];
    each(q.correct, function (c) { if (!a[c]) { missed.push(optionLabel(q, c)); } });
    if (missed.length && q.kind === 'multiple') {
      box.appendChild(para('', T.missed));
      var ml = doc.createElement('ul');
      each(missed, function (m) { var li = doc.createElement('li'); li.textContent = m; ml.appendChild(li); });
      box.appendChild(ml);
    }
  }

  /* ---------- the quiz ---------- */

  /* A SCORM 2004 interaction description: a localized_string_type of at most
   * 250 characters, {lang=xx} then the question, cut at a character. */
  function describe(t) {
    var prefix = '{lang=' + cfg.lang + '}', max = 250 - prefix.length;
    var chars = Array.from ? Array.from(t) : t.split('');
    if (chars.length > max) { chars = chars.slice(0, max - 1); chars.push('\u2026'); }
    return prefix + chars.join('');
  }

  function quizQuestions() { var out = []; each(questions, function (q) { if (q.quiz) { out.push(q); } }); return out; }
  function lockQuiz(locked) {
    each(quizQuestions(), function (q) { each(inputs(q), function (inp) { inp.disabled = locked; }); });
    show($('quiz-submit'), !locked);
    show($('quiz-submitted'), locked);
    show(doc.querySelector('[data-needs-results]'), locked);
  }
  function quizScore() {
    var qs = quizQuestions(), right = 0;
    each(qs, function (q) { if (isRight(q, state.answers[q.index])) { right += 1; } });
    return PecynScorm.score(right, qs.length, cfg.pass_mark);
  }
  function submitQuiz(ev) {
    if (ev) { ev.preventDefault(); }
    if (state.submitted) { go(resultsIndex, true); return; }
    var qs = quizQuestions(), missing = [];
    each(qs, function (q, n) {
      state.answers[q.index] = readForm(q);
      if (!any(state.answers[q.index])) { missing.push({ q: q, n: n + 1 }); }
    });
    var box = $('quiz-errors'), list = $('quiz-errors-list');
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (missing.length) {
      each(missing, function (m) {
        var li = doc.createElement('li'), a = doc.createElement('a'), first = inputs(m.q)[0];
        a.href = '#' + (first ? first.id : m.q.el.id);
        a.textContent = fmt('quiz_unanswered', { number: m.n, question: text(m.q.el.querySelector('.prompt')) });
        on(a, 'click', function (e) { e.preventDefault(); if (first) { first.focus(); } });
        li.appendChild(a);
        list.appendChild(li);
      });
      show(box, true);
      box.focus();
      bookmark(false);
      return;
    }
    show(box, false);
    var sc = quizScore();
    state.submitted = true;
    state.passed = sc.passed;
    state.attempts += 1;
    lockQuiz(true);
    if (connected) {
      var answers = [];
      each(qs, function (q) {
        var a = state.answers[q.index];
        answers.push({ id: q.id, correct: isRight(q, a), response: indices(a), pattern: q.correct, text: describe(text(q.el.querySelector('.prompt'))) });
      });
      session.record(answers);
      bookmark(false);
      session.result(sc);
    }
    go(resultsIndex, true);
  }
  function showResults() {
    var sc = quizScore();
    $('result-score').textContent = fmt('your_score', { score: sc.raw });
    show($('result-passed'), sc.passed);
    show($('result-failed'), !sc.passed);
    show($('retry-button'), !sc.passed);
    showReview();
  }
  /* The review after submitting: each question, the learner's answer, right or
   * wrong in words (not colour alone), and the authors' feedback for the
   * options chosen and, when wrong, for the right ones. Built from the state,
   * so a resumed learner sees the same review. */
  function clearReview() {
    var list = $('review-list');
    while (list.firstChild) { list.removeChild(list.firstChild); }
    show($('quiz-review'), false);
  }
  function showReview() {
    clearReview();
    var list = $('review-list'), qs = quizQuestions();
    each(qs, function (q, n) {
      var a = state.answers[q.index], right = isRight(q, a);
      var li = doc.createElement('li');
      li.className = 'review-item ' + (right ? 'review-right' : 'review-wrong');
      var h = doc.createElement('h3');
      h.appendChild(doc.createTextNode(fmt('question_number', { number: n + 1, total: qs.length }) + ': '));
      var prompt = q.el.querySelector('.prompt');
      if (prompt) { each(prompt.childNodes, function (c) { h.appendChild(c.cloneNode(true)); }); }
      li.appendChild(h);
      li.appendChild(para('verdict', verdictOf(right)));
      li.appendChild(para('', T.review_your_answer));
      li.appendChild(optionList(q, indices(a)));
      if (!right) {
        li.appendChild(para('', T[q.correct.length > 1 ? 'review_right_answers' : 'review_right_answer']));
        li.appendChild(optionList(q, q.correct));
      }
      list.appendChild(li);
    });
    show($('quiz-review'), true);
  }
  function retry() {
    clearReview();
    each(quizQuestions(), function (q) { state.answers[q.index] = blank(q.options); writeForm(q, state.answers[q.index]); });
    state.submitted = false;
    lockQuiz(false);
    go(quizIndex, true);
  }

  /* ---------- finishing ---------- */

  /* Says what really happened: saved (the LMS accepted every call and the
   * finish), not saved (with what to do), or no LMS at all. */
  var finished = null;
  function finish() {
    if (!connected) {
      finished = 'finished_not_connected';
    } else if (session.state === 'open') {
      bookmark(false);
      var ok = session.finish();
      finished = ok && session.failures === 0 ? 'finished_notice' : 'finished_not_saved';
    } else if (!finished) {
      finished = session.failures === 0 ? 'finished_notice' : 'finished_not_saved';
    }
    var n = $('notice-finished');
    n.textContent = T[finished];
    n.className = 'notice' + (finished === 'finished_not_saved' ? ' notice-error' : '');
    show(n, true);
    n.focus();
  }
  function leaving() { if (connected && session.state === 'open') { bookmark(false); session.finish(); } }

  /* ---------- start ---------- */

  function restore(st) {
    state = st;
    each(questions, function (q) {
      writeForm(q, state.answers[q.index]);
      if (!q.quiz) { showFeedback(q, state.answers[q.index]); }
    });
    lockQuiz(state.submitted);
  }

  function init() {
    var el = $('pecyn-config');
    if (!el || !window.PecynScorm) { return; }
    cfg = JSON.parse(el.textContent);
    T = cfg.strings;
    pages = cfg.pages;
    quizIndex = pages.length - 2;
    resultsIndex = pages.length - 1;
    each(cfg.checks, function (q) { q.el = $('check-' + q.id); q.quiz = false; q.index = questions.length; questions.push(q); });
    each(cfg.quiz, function (q) { q.el = $('quiz-' + q.id); q.quiz = true; q.index = questions.length; questions.push(q); });
    doc.documentElement.className += ' js';
    state = freshState();

    session = new PecynScorm.Session(cfg.scorm, { onError: function () { show($('notice-error'), true); } });
    connected = session.open();
    var saved = null;
    if (connected) {
      var info = session.begin();
      saved = PecynScorm.decode(cfg, info.suspend);
      if (!saved && info.location && pages.indexOf(info.location) > 0) {
        saved = freshState();
        saved.page = pages.indexOf(info.location);
      }
    } else {
      show($('notice-standalone'), true);
    }
    if (saved) { restore(saved); } else { lockQuiz(false); }
    var resumable = saved && saved.page > 0;
    show($('resume'), resumable);
    show($('start-actions'), !resumable);

    on($('start-button'), 'click', function () { go(1, true); });
    on($('resume-button'), 'click', function () { go(state.page, true); });
    on($('restart-button'), 'click', function () {
      var keep = state;
      state = freshState();
      state.attempts = keep.attempts;
      restore(state);
      go(1, true);
    });
    on($('back-button'), 'click', function () { go(current === 'about' ? returnTo : current - 1, true); });
    on($('next-button'), 'click', function () { if (current !== 'about') { go(current + 1, true); } });
    on($('quiz-form'), 'submit', submitQuiz);
    on($('retry-button'), 'click', retry);
    on($('finish-button'), 'click', finish);
    each(questions, function (q) {
      if (q.quiz) { return; }
      on($('check-form-' + q.id), 'submit', function (e) {
        e.preventDefault();
        state.answers[q.index] = readForm(q);
        showFeedback(q, state.answers[q.index]);
        bookmark(false);
      });
    });

    /* contents menu: a disclosure */
    var toggle = $('contents-toggle'), list = $('contents-list');
    show(toggle, true);
    show(list, false);
    on(toggle, 'click', function () {
      var open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      show(list, open);
    });
    on(toggle.parentNode, 'keydown', function (e) {
      if (e.key === 'Escape' || e.keyCode === 27) { toggle.setAttribute('aria-expanded', 'false'); show(list, false); toggle.focus(); }
    });
    each(doc.querySelectorAll('a[data-page]'), function (a) {
      on(a, 'click', function (e) {
        e.preventDefault();
        toggle.setAttribute('aria-expanded', 'false');
        show(list, false);
        var id = a.getAttribute('data-page');
        go(id === 'about' ? 'about' : pages.indexOf(id), true);
      });
    });

    on(doc, 'visibilitychange', function () {
      if (doc.visibilityState === 'hidden' && connected && session.state === 'open') { bookmark(false); session.save(); }
    });
    if ('onpagehide' in window) { on(window, 'pagehide', leaving); } else { on(window, 'unload', leaving); }
    show($('pager'), true);
    go(0, false, true);
  }

  try { init(); } catch (e) {
    try { window.console.error('[pecyn] the player could not start: ' + (e && e.message)); } catch (e2) { /* ignore */ }
  }
}());
