// The "Try the models" page (live.html): the report's networks in the browser, no dependencies.
//
// * The tokeniser of report/data/text.py: HTML line breaks (<br />) become newlines, the text is lower-cased
//   as Python's str.lower() does (its table, from live/tokeniser.js, and the final-sigma rule), and the
//   tokens are the maximal runs of letters or digits with inner apostrophes kept (TOKEN_RE). The
//   character classes come from Python's own re (live/tokeniser.js), so a word splits here exactly as it
//   did in training. Ids: 0 padding, 1 out of vocabulary, 2.. the vocabulary; a text longer than maxlen
//   keeps its last (or, if the model says so, first) maxlen tokens.
// * The forward pass of report/results/forward.py: word table, SimpleRNN or LSTM (Keras' gate order
//   i, f, c, o), readout "last" or "max" (over the words read), dense layer with sigmoid or softmax.
// * The trace: the output layer applied to the readout after each word, as if the text ended there.
//
// window.makeReport.predict(name, text) returns a Promise of {probabilities, trace, ...}: see the README.
// Models load on first use from live/<name>.js (a <script>, so the page also works from file://).
(function () {
  "use strict";

  var T = window.makeReportTokeniser;
  var WORD = "[" + T.word + "]";
  var TOKEN_RE = new RegExp(WORD + "+(?:'" + WORD + "+)*", "gu");
  var BR_RE = new RegExp("<br[" + T.space + "]*/?>", "giu");
  var FINAL_SIGMA = /(?<=\p{Cased}\p{Case_Ignorable}*)\u03a3(?!\p{Case_Ignorable}*\p{Cased})/gu;
  var LOWER = T.lower;

  function lower(text) {
    // Python's str.lower(): one code point at a time from its table, capital sigma by context
    text = text.replace(FINAL_SIGMA, "\u03c2");
    var out = "";
    for (var ch of text) out += Object.prototype.hasOwnProperty.call(LOWER, ch) ? LOWER[ch] : ch;
    return out;
  }

  function tokenise(text) {
    return lower(String(text).replace(BR_RE, "\n")).match(TOKEN_RE) || [];
  }

  // --- models ---------------------------------------------------------------------------------------------

  var loaded = {}, loading = {};

  function halfToFloat(h) {
    var s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
    if (e === 0) return s * f * Math.pow(2, -24);
    if (e === 31) return f ? NaN : s * Infinity;
    return s * (1 + f / 1024) * Math.pow(2, e - 15);
  }

  function decode(raw) {
    var bin = atob(raw.data), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var a = {}, shapes = {};
    Object.keys(raw.arrays).forEach(function (key) {
      var spec = raw.arrays[key], n = spec.shape.reduce(function (x, y) { return x * y; }, 1);
      var buf = bytes.buffer, off = spec.offset;
      if (spec.dtype === "int8") a[key] = new Int8Array(buf, off, n);
      else if (spec.dtype === "float32") a[key] = new Float32Array(buf, off, n);
      else if (spec.dtype === "float16") {
        var h = new Uint16Array(buf, off, n), f = new Float64Array(n);
        for (var j = 0; j < n; j++) f[j] = halfToFloat(h[j]);
        a[key] = f;
      } else throw new Error("unknown dtype " + spec.dtype);
      shapes[key] = spec.shape;
    });
    var m = raw.meta, index = new Map();
    raw.vocab.forEach(function (w, id) { if (id >= 2) index.set(w, id); });
    return {
      meta: m, a: a, index: index, units: m.units, width: shapes.recurrent[1], dim: shapes.table_q[1],
      classes: m.classNames.length,
    };
  }

  function load(name) {
    if (loaded[name]) return Promise.resolve(loaded[name]);
    if (loading[name]) return loading[name];
    var spec = (config.models || []).filter(function (m) { return m.name === name; })[0];
    if (!spec) return Promise.reject(new Error("no model called " + name));
    loading[name] = new Promise(function (resolve, reject) {
      var done = function () {
        var raw = window.makeReportModels && window.makeReportModels[name];
        if (!raw) { reject(new Error(spec.file + " did not define the model")); return; }
        loaded[name] = decode(raw);
        delete window.makeReportModels[name];  // the decoded copy is all we keep
        resolve(loaded[name]);
      };
      if (window.makeReportModels && window.makeReportModels[name]) { done(); return; }
      var s = document.createElement("script");
      s.src = spec.file;
      s.async = true;
      s.onload = done;
      s.onerror = function () { delete loading[name]; reject(new Error("could not load " + spec.file)); };
      document.head.appendChild(s);
    });
    return loading[name];
  }

  function encode(model, text) {
    var tokens = tokenise(text), n = Math.min(tokens.length, model.meta.maxlen);
    var start = model.meta.keep === "last" ? tokens.length - n : 0, ids = [];
    for (var i = start; i < start + n; i++) ids.push(model.index.get(tokens[i]) || 1);
    return { tokens: tokens, ids: ids, start: start };
  }

  var ACT = {
    tanh: Math.tanh,
    sigmoid: function (x) { return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); },
    relu: function (x) { return x > 0 ? x : 0; },
    linear: function (x) { return x; },
    hard_sigmoid: function (x) { return Math.min(1, Math.max(0, x / 6 + 0.5)); },
  };

  function output(model, feat) {
    var a = model.a, U = model.units, DB = a.dense_bias, DK = a.dense_kernel, C = DB.length;
    var z = new Float64Array(C);
    for (var c = 0; c < C; c++) {
      var s = DB[c];
      for (var k = 0; k < U; k++) s += feat[k] * DK[k * C + c];
      z[c] = s;
    }
    if (model.meta.output === "sigmoid") {
      var p = ACT.sigmoid(z[0]);
      return [1 - p, p];
    }
    var mx = -Infinity, sum = 0, out = [];
    for (c = 0; c < C; c++) mx = Math.max(mx, z[c]);
    for (c = 0; c < C; c++) { out.push(Math.exp(z[c] - mx)); sum += out[c]; }
    return out.map(function (v) { return v / sum; });
  }

  // Runs the recurrence over ids; calls each(step, probabilities) after every word when `each` is given.
  function run(model, ids, each) {
    var a = model.a, m = model.meta, U = model.units, W = model.width, D = model.dim;
    var TQ = a.table_q, TS = a.table_scale, K = a.kernel, RK = a.recurrent, BIAS = a.bias;
    var act = ACT[m.activation], ract = ACT[m.recurrentActivation], lstm = m.cell === "lstm";
    var h = new Float64Array(U), c = new Float64Array(U), z = new Float64Array(W), x = new Float64Array(D);
    var best = m.readout === "max" ? new Float64Array(U).fill(-Infinity) : null;
    var feat = new Float64Array(U);
    function readout() {
      if (!best) return h;
      for (var k = 0; k < U; k++) feat[k] = best[k] === -Infinity ? 0 : best[k];
      return feat;
    }
    var before = output(model, readout());
    for (var t = 0; t < ids.length; t++) {
      var id = ids[t], scale = TS[id], row = id * D, j, k;
      for (j = 0; j < D; j++) x[j] = TQ[row + j] * scale;
      for (j = 0; j < W; j++) z[j] = BIAS[j];
      if (m.folded) for (j = 0; j < W; j++) z[j] += x[j];
      else for (k = 0; k < D; k++) { var xk = x[k], kr = k * W; for (j = 0; j < W; j++) z[j] += xk * K[kr + j]; }
      for (k = 0; k < U; k++) { var hk = h[k], rr = k * W; for (j = 0; j < W; j++) z[j] += hk * RK[rr + j]; }
      if (!lstm) for (k = 0; k < U; k++) h[k] = act(z[k]);
      else for (k = 0; k < U; k++) {
        var ig = ract(z[k]), fg = ract(z[U + k]), gg = act(z[2 * U + k]), og = ract(z[3 * U + k]);
        c[k] = fg * c[k] + ig * gg;
        h[k] = og * act(c[k]);
      }
      if (best) for (k = 0; k < U; k++) if (h[k] > best[k]) best[k] = h[k];
      if (each) each(t, output(model, readout()));
    }
    return { before: before, after: output(model, readout()) };
  }

  function predictWith(model, text) {
    var enc = encode(model, text), steps = [];
    var r = run(model, enc.ids, function (t, p) { steps.push(p); });
    var probs = r.after, top = 0;
    for (var c = 1; c < probs.length; c++) if (probs[c] > probs[top]) top = c;
    var prev = r.before;
    var trace = steps.map(function (p, t) {
      var entry = {
        word: enc.tokens[enc.start + t], id: enc.ids[t], index: enc.start + t, probabilities: p,
        delta: p[top] - prev[top],
      };
      prev = p;
      return entry;
    });
    return {
      model: model.meta.name, classNames: model.meta.classNames.slice(), probabilities: probs, predicted: top,
      label: model.meta.classNames[top], initial: r.before, trace: trace, tokens: enc.tokens,
      read: { start: enc.start, end: enc.start + enc.ids.length },
    };
  }

  function readConfig() {
    var el = document.getElementById("live-config");
    try { return el ? JSON.parse(el.textContent) : { models: [] }; } catch (e) { return { models: [] }; }
  }
  var config = readConfig();

  window.makeReport = {
    models: (config.models || []).map(function (m) { return m.name; }),
    tokenise: tokenise,
    load: function (name) { return load(name).then(function () { return true; }); },
    encode: function (name, text) { return load(name).then(function (m) { return encode(m, text); }); },
    predict: function (name, text) { return load(name).then(function (m) { return predictWith(m, text); }); },
  };

  // --- the page -------------------------------------------------------------------------------------------

  var form = document.getElementById("live-form");
  if (!form) return;
  var textbox = document.getElementById("live-text");
  var status = document.getElementById("live-status");
  var result = document.getElementById("live-result");
  var prediction = document.getElementById("live-prediction");
  var chart = document.getElementById("live-chart");
  var chartCaption = document.getElementById("live-chart-caption");
  var wordsBox = document.getElementById("live-words");
  var SVG = "http://www.w3.org/2000/svg";
  var current = null, timer = null, runId = 0;

  function spec(name) { return config.models.filter(function (m) { return m.name === name; })[0]; }
  function pretty(model, cls) {
    return model.item === "review" ? ({ pos: "positive", neg: "negative" }[cls] || cls) : cls;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function fmt(p) { return p.toFixed(3); }

  function select(name, focus) {
    if (!spec(name)) return;
    current = name;
    form.querySelectorAll('input[name="model"]').forEach(function (r) { r.checked = r.value === name; });
    form.querySelectorAll(".live-example").forEach(function (b) { b.hidden = b.dataset.model !== name; });
    var m = spec(name);
    if (!loaded[name]) status.textContent = "Loading the " + m.cell + "\u2026";
    load(name).then(function () {
      if (current === name && !textbox.value.trim()) status.textContent = "The " + m.cell + " is ready: type a " + m.item + ".";
      schedule(0);
    }, fail);
    if (focus) textbox.focus();
  }

  function fail(err) {
    status.textContent = "The model could not be loaded (" + err.message + ").";
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(classify, delay);
  }

  function classify() {
    var name = current, text = textbox.value, id = ++runId;
    if (!text.trim()) { result.hidden = true; return; }
    window.makeReport.predict(name, text).then(function (r) {
      if (id !== runId) return;  // a newer run started meanwhile
      show(spec(name), r);
    }, fail);
  }

  var last = null;
  window.addEventListener("resize", function () { if (last && !result.hidden) drawChart(last[0], last[1], last[2]); });

  function show(m, r) {
    result.hidden = false;
    var binary = r.classNames.length === 2, cls = r.predicted, shownClass = binary ? 1 : cls;
    prediction.replaceChildren();
    var order = r.probabilities.map(function (p, i) { return i; })
      .sort(function (a, b) { return r.probabilities[b] - r.probabilities[a]; });
    var list = el("ol", "live-probs");
    (binary ? [1, 0] : order.slice(0, 5)).forEach(function (i) {
      var li = el("li", i === cls ? "live-top" : "");
      var name = el("span", "live-class", binary ? "P(" + pretty(m, r.classNames[i]) + ")" : r.classNames[i]);
      var bar = el("span", "live-bar");
      var fill = el("span", "live-fill");
      fill.style.width = (100 * r.probabilities[i]).toFixed(1) + "%";
      bar.appendChild(fill);
      li.append(name, bar, el("span", "live-p", fmt(r.probabilities[i])));
      list.appendChild(li);
    });
    var n = r.trace.length;
    var lead = el("p", "live-answer");
    lead.append(el("strong", "", pretty(m, r.label)), document.createTextNode(
      " (" + m.cell + ", after " + n + (n === 1 ? " word" : " words") +
      (r.tokens.length > n ? " of " + r.tokens.length : "") + ")"));
    prediction.append(lead, list);
    status.textContent = m.cell + ": " + pretty(m, r.label) + ", probability " + fmt(r.probabilities[cls]) +
      ", after " + n + (n === 1 ? " word." : " words.");
    last = [m, r, shownClass];
    drawChart(m, r, shownClass);
    drawWords(m, r);
  }

  function drawChart(m, r, c) {
    // drawn at the box's own width, so the labels keep their size on a phone
    var W = Math.max(280, Math.round(chart.clientWidth - 8)), H = W < 500 ? 170 : 220, L = 40, R = 10, Tp = 12, B = 28;
    var pts = [r.initial[c]].concat(r.trace.map(function (s) { return s.probabilities[c]; }));
    var n = pts.length - 1;
    var X = function (i) { return L + (n ? (i / n) : 0) * (W - L - R); };
    var Y = function (p) { return Tp + (1 - p) * (H - Tp - B); };
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": "live-chart-caption",
                         class: "live-svg" });
    [0, 0.5, 1].forEach(function (p) {
      s.appendChild(svg("line", { x1: L, x2: W - R, y1: Y(p), y2: Y(p), class: p === 0.5 ? "live-mid" : "live-grid" }));
      var t = svg("text", { x: L - 6, y: Y(p) + 4, "text-anchor": "end", class: "live-tick" });
      t.textContent = p.toFixed(1);
      s.appendChild(t);
    });
    var xl = svg("text", { x: W - R, y: H - 6, "text-anchor": "end", class: "live-tick" });
    xl.textContent = n + " words read";
    s.appendChild(xl);
    s.appendChild(svg("polyline", {
      points: pts.map(function (p, i) { return X(i).toFixed(1) + "," + Y(p).toFixed(1); }).join(" "),
      class: "live-line",
    }));
    chart.replaceChildren(s);
    var label = r.classNames.length === 2 ? "P(" + pretty(m, r.classNames[c]) + ")" : "P(" + r.classNames[c] + ")";
    var lo = Math.min.apply(null, pts), hi = Math.max.apply(null, pts);
    chartCaption.textContent = label + " after each word: starts at " + fmt(pts[0]) + ", ranges from " + fmt(lo) +
      " to " + fmt(hi) + ", ends at " + fmt(pts[n]) + ".";
  }

  function drawWords(m, r) {
    wordsBox.replaceChildren();
    var peak = r.trace.reduce(function (mx, s) { return Math.max(mx, Math.abs(s.delta)); }, 0) || 1;
    var frag = document.createDocumentFragment();
    r.tokens.forEach(function (word, i) {
      var span = el("span", "live-word", word);
      if (i < r.read.start || i >= r.read.end) {
        span.classList.add("live-out");
        span.title = "not read: beyond the " + m.cell + "'s " + r.trace.length + " words";
      } else {
        var s = r.trace[i - r.read.start], k = Math.abs(s.delta) / peak;
        span.classList.add(s.delta >= 0 ? "live-up" : "live-down");
        span.style.setProperty("--k", (0.08 + 0.5 * k).toFixed(3));
        if (s.id === 1) span.classList.add("live-oov");
        span.title = (s.delta >= 0 ? "+" : "\u2212") + Math.abs(s.delta).toFixed(3) + " \u2192 " +
          fmt(s.probabilities[r.predicted]) + (s.id === 1 ? " (out of vocabulary)" : "");
      }
      frag.append(span, document.createTextNode(" "));
    });
    wordsBox.appendChild(frag);
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); schedule(0); });
  textbox.addEventListener("input", function () { schedule(200); });
  form.querySelectorAll('input[name="model"]').forEach(function (radio) {
    radio.addEventListener("change", function () { if (radio.checked) select(radio.value); });
  });
  form.querySelectorAll(".live-example").forEach(function (b) {
    b.addEventListener("click", function () {
      var ex = spec(b.dataset.model).examples[Number(b.dataset.index)];
      textbox.value = ex.text;
      select(b.dataset.model);
      schedule(0);
    });
  });
  var fromHash = decodeURIComponent(location.hash.slice(1));
  select(spec(fromHash) ? fromHash : config.models[0].name);
})();
