// Live charts: Plotly figures that the browser updates by itself, with no round trip to the server.
//
// A page mounts one instance per chart; instances with the same `group` talk through window events:
// - knobs: a slider of the focus optimizer (e.g. RMSProp's lr) switches every chart of the group between
//   runs the server computed ahead of time, one per stop of the slider (`live`). On release, the instance
//   that shows the slider sends the value to Python (trigger "release"), which settles the page.
// - playback: Play / the step slider draw every path up to step k (a trail), in every chart of the group.
// A map is drawn as two stacked Plotly plots with the same geometry: the filled contour below, drawn once,
// and everything that moves above it, so a slider or a playback frame never redraws (or drops) the contour.
// No update rule is computed here: every number comes from the server.

const PLOTLY_GLOBAL = "__rmspPlotly";
const TYPED = { i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array,
  f4: Float32Array, f8: Float64Array };
const STILL = { transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate" };
const FRAME_MS = 60;
const instances = new WeakMap();

function loadPlotly(url) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window[PLOTLY_GLOBAL]) {
    window[PLOTLY_GLOBAL] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { window[PLOTLY_GLOBAL] = null; reject(new Error(`cannot load ${url}`)); };
      document.head.appendChild(script);
    });
  }
  return window[PLOTLY_GLOBAL];
}

function decodeArray(spec) {
  const bytes = Uint8Array.from(atob(spec.bdata), (c) => c.charCodeAt(0));
  return new TYPED[spec.dtype](bytes.buffer);
}

// Typed-array specs ({dtype, bdata}) anywhere in a figure -> typed arrays (2-D ones as arrays of rows).
function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === "object") {
    if (typeof value.bdata === "string" && value.dtype in TYPED) {
      const flat = decodeArray(value);
      if (!value.shape) return flat;
      const [rows, cols] = value.shape.split(",").map((s) => parseInt(s, 10));
      return Array.from({ length: rows }, (_, r) => flat.subarray(r * cols, (r + 1) * cols));
    }
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = decode(v);
    return out;
  }
  return value;
}

// A quantized array (dtype "q2", views/common/live_payload.py): uint16 codes, value = lo + code * step (10 to
// that power on a log axis), code 65535 = a gap. Turned into floats once, when the payload arrives.
function dequantize(buffer, offset, ref) {
  const codes = new Uint16Array(buffer, offset, ref.length);
  const out = new Float32Array(ref.length);
  for (let i = 0; i < codes.length; i++) {
    const q = codes[i];
    const v = ref.lo + q * ref.step;
    out[i] = q === 65535 ? NaN : ref.log ? Math.pow(10, v) : v;
  }
  return out;
}

// The payload (see views/common/live_payload.py): "RMSPLIVE", a uint32 header length, the JSON header, then the
// live runs' arrays, which the header refers to by offset (copied once into an aligned buffer, then viewed).
function parsePayload(bytes) {
  const own = bytes instanceof Uint8Array ? bytes.slice() : new Uint8Array(bytes);
  const text = new TextDecoder();
  if (text.decode(own.subarray(0, 8)) !== "RMSPLIVE") throw new Error("unexpected chart data");
  const length = new DataView(own.buffer).getUint32(8, true);
  const header = JSON.parse(text.decode(own.subarray(12, 12 + length)));
  const base = 12 + length;
  for (const knob of Object.values(header.live || {})) {
    for (const series of Object.values(knob.series)) {
      for (const [key, ref] of Object.entries(series)) {
        series[key] = ref.dtype === "q2" ? dequantize(own.buffer, base + ref.offset, ref)
          : new TYPED[ref.dtype](own.buffer, base + ref.offset, ref.length);
      }
    }
  }
  return header;
}

function el(tag, className, parent) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (parent) parent.appendChild(node);
  return node;
}

// The step of every point of a trace: its customdata (paths) or its x (curves over the steps).
function stepsOf(trace) {
  return trace.meta && trace.meta.steps === "x" ? trace.x : trace.customdata;
}

// The first n entries of a typed or plain array (a view, not a copy, when it is typed).
function head(a, n) {
  return a.subarray ? a.subarray(0, n) : a.slice(0, n);
}

// How many points of a trace lie at steps <= k (steps are increasing).
function countUpTo(steps, k) {
  let lo = 0, hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] <= k) lo = mid + 1; else hi = mid;
  }
  return lo;
}

class LiveChart {
  constructor(parent) {
    this.parent = parent;
    this.root = el("div", "rmsp-live", parent);
    this.panel = el("div", "rmsp-knobs", this.root);
    this.stack = el("div", "rmsp-stack", this.root);
    this.bar = el("div", "rmsp-play", this.root);
    this.layers = [];
    this.knobIndex = {};
    this.step = null; // null: whole runs
    this.dragging = false;
    this.pending = null;
    this.onGroup = (event) => this.receive(event.detail);
    this.resize = new ResizeObserver(() => {
      this.layers.forEach((gd) => gd.layout && this.Plotly.Plots.resize(gd));
      this.fit();
    });
    this.resize.observe(this.stack);
  }

  // Draws the chart for a new payload. window.rmspRendering counts the renders in flight (tests wait for 0).
  async render(args) {
    window.rmspRendering = (window.rmspRendering || 0) + 1;
    try {
      await this.draw(args);
    } finally {
      window.rmspRendering -= 1;
    }
  }

  async draw(args) {
    const { setTriggerValue } = args;
    const data = parsePayload(args.data);
    this.setTriggerValue = setTriggerValue;
    if (this.dragging) { this.pending = args; return; } // a thumb is held: settle after the release
    this.Plotly = await loadPlotly(data.plotly);
    if (this.group !== data.group) {
      if (this.group) window.removeEventListener(`rmsp-live:${this.group}`, this.onGroup);
      this.group = data.group;
      window.addEventListener(`rmsp-live:${this.group}`, this.onGroup);
    }
    this.data = data;
    this.live = data.live || {};
    this.root.classList.toggle("rmsp-sliders-only", !data.layers.length);
    await this.drawLayers(data);
    this.drawKnobs(data.knobs);
    this.drawPlayback(data.play);
    this.step = null;
    this.root.dataset.ready = String(Date.now());
  }

  async drawLayers(data) {
    const height = data.fit && this.fitted ? this.fitted : data.height;
    this.stack.style.height = `${height}px`;
    this.stack.hidden = !data.layers.length;
    while (this.layers.length > data.layers.length) {
      const gone = this.layers.pop();
      this.Plotly.purge(gone);
      gone.remove();
    }
    for (const [i, layer] of data.layers.entries()) {
      let gd = this.layers[i];
      if (!gd) {
        gd = el("div", `rmsp-layer rmsp-layer-${i}`, this.stack);
        this.layers.push(gd);
      }
      if (gd.dataset.version && gd.dataset.version === layer.version) continue; // unchanged (the contour)
      const figure = decode(layer.figure);
      figure.layout.height = height;
      const config = { displaylogo: false, scrollZoom: false, responsive: true, ...(data.config || {}),
        // The toolbar only on the top layer, and not on touch screens, where it would cover titles and legends.
        displayModeBar: i === data.layers.length - 1 && !window.matchMedia("(hover: none)").matches ? "hover" : false,
        staticPlot: false };
      await this.Plotly.react(gd, figure.data, figure.layout, config);
      gd.dataset.version = layer.version || "";
      if (i === data.layers.length - 1) this.wireTop(gd, data);
    }
    this.syncGeometry();
    this.fit();
    const top = this.layers[this.layers.length - 1];
    this.full = top ? top.data.map((trace) => (trace.meta && trace.meta.trail
      ? { x: trace.x, y: trace.y, c: trace.customdata || null, steps: stepsOf(trace) } : null)) : [];
    this.traceIndex = {};
    if (top) top.data.forEach((trace, i) => { if (trace.uid) this.traceIndex[trace.uid] = i; });
  }

  // A map drawn to the same scale on both axes gets the height its width calls for (no empty band above and
  // below a square plot), at most the height the server asked for.
  fit() {
    const top = this.layers[this.layers.length - 1];
    if (!this.data || !this.data.fit || !top || !top._fullLayout) return;
    const full = top._fullLayout, xa = full.xaxis, ya = full.yaxis;
    if (!xa || !ya || !ya.scaleanchor) return;
    const size = full._size;
    const ratio = (Math.abs(ya.range[1] - ya.range[0]) / Math.abs(xa.range[1] - xa.range[0])) * (ya.scaleratio || 1);
    const wanted = Math.round(size.w * ratio + size.t + size.b);
    const height = Math.max(this.data.minHeight || 300, Math.min(this.data.height, wanted));
    this.fitted = height;
    if (Math.abs(height - full.height) < 2) return;
    this.stack.style.height = `${height}px`;
    this.layers.forEach((gd) => this.Plotly.relayout(gd, { height }));
  }

  // The lower layers take the upper layer's margins (its legend may have pushed them), so the plot areas match.
  syncGeometry() {
    const top = this.layers[this.layers.length - 1];
    if (!top || !top._fullLayout || this.layers.length < 2) return;
    const size = top._fullLayout._size;
    for (const below of this.layers.slice(0, -1)) {
      const m = below._fullLayout && below._fullLayout.margin;
      if (m && m.l === size.l && m.r === size.r && m.t === size.t && m.b === size.b) continue;
      this.Plotly.relayout(below, { "margin.l": size.l, "margin.r": size.r, "margin.t": size.t, "margin.b": size.b });
    }
  }

  wireTop(gd, data) {
    if (gd.rmspWired) return;
    gd.rmspWired = true;
    gd.on("plotly_afterplot", () => this.syncGeometry());
    gd.on("plotly_click", (event) => {
      const point = event && event.points && event.points[0];
      if (point && point.data.meta && point.data.meta.click && this.data.clickable) {
        this.setTriggerValue("click", { x: point.x, y: point.y });
      }
    });
    gd.on("plotly_relayout", (update) => { // pan or zoom on the top layer: the layers below follow
      const ranges = {};
      for (const [k, v] of Object.entries(update)) if (/^[xy]axis\d*\.(range|autorange)/.test(k)) ranges[k] = v;
      if (Object.keys(ranges).length) this.layers.slice(0, -1).forEach((below) => this.Plotly.relayout(below, ranges));
    });
  }

  // Redraw only the given scatter traces (no full replot). A newer call interrupts an older one, whose promise
  // Plotly then rejects: that is expected, not an error.
  animate(gd, frame, options) {
    return this.Plotly.animate(gd, frame, options).catch(() => {});
  }

  // ------------------------------------------------------------------ knobs

  drawKnobs(knobs) {
    this.panel.replaceChildren();
    this.panel.hidden = !knobs;
    if (!knobs) return;
    if (knobs.title) el("div", "rmsp-knobs-title", this.panel).textContent = knobs.title;
    for (const knob of knobs.items) {
      this.knobIndex[knob.name] = knob.index;
      const row = el("label", "rmsp-knob", this.panel);
      el("span", "rmsp-knob-label", row).textContent = knob.label;
      const value = el("output", "rmsp-knob-value", row);
      const input = el("input", "rmsp-knob-input", row);
      Object.assign(input, { type: "range", min: 0, max: knob.stops.length - 1, step: 1, value: knob.index });
      input.disabled = !!knob.disabled;
      input.setAttribute("aria-label", knob.aria || knob.name);
      input.dataset.knob = knob.name;
      const show = (i) => {
        value.textContent = knob.labels[i];
        input.setAttribute("aria-valuetext", knob.labels[i]);
      };
      show(knob.index);
      input.addEventListener("pointerdown", () => { this.dragging = true; });
      input.addEventListener("input", (event) => {
        const i = parseInt(input.value, 10);
        show(i);
        window.rmspEvents = (window.rmspEvents || 0) + 1;
        this.broadcast({ knob: knob.name, index: i, t: event.timeStamp, id: window.rmspEvents });
      });
      input.addEventListener("change", () => {
        this.dragging = false;
        const i = parseInt(input.value, 10);
        this.root.dataset.released = `${knob.name}:${i}`;
        this.setTriggerValue("release", { name: knob.name, value: knob.stops[i], index: i });
        if (this.pending) { const args = this.pending; this.pending = null; this.render(args); }
      });
      input.addEventListener("pointerup", () => { this.dragging = false; });
    }
  }

  broadcast(detail) {
    window.dispatchEvent(new CustomEvent(`rmsp-live:${this.group}`, { detail }));
  }

  receive(detail) {
    if (!this.data) return;
    if ("knob" in detail) this.applyKnob(detail.knob, detail.index, detail);
    if ("step" in detail) this.applyStep(detail.step);
  }

  // Switch the traces this chart holds for `name` to the precomputed run at stop `index`.
  applyKnob(name, index, event) {
    const knob = this.live[name];
    const top = this.layers[this.layers.length - 1];
    if (!knob || !top) return;
    const updates = [], traces = [];
    for (const [uid, series] of Object.entries(knob.series)) {
      const i = this.traceIndex[uid];
      if (i === undefined) continue;
      const a = series.offsets[index], b = series.offsets[index + 1];
      const run = { x: series.x.subarray(a, b), y: series.y.subarray(a, b), c: null };
      if (series.c) run.c = series.c.subarray(a, b);
      run.steps = run.c || run.x;
      if (this.full[i]) this.full[i] = run;
      const shown = this.trail(run);
      const update = { x: shown.x, y: shown.y };
      if (run.c) update.customdata = shown.c;
      updates.push(update);
      traces.push(i);
    }
    for (const [uid, mark] of Object.entries(knob.marks || {})) {
      const i = this.traceIndex[uid];
      if (i === undefined) continue;
      const has = mark.x[index] !== null;
      const update = { x: has ? [mark.x[index]] : [], y: has ? [mark.y[index]] : [] };
      if (mark.text) update.text = has ? [mark.text[index]] : [];
      updates.push(update);
      traces.push(i);
    }
    if (!traces.length) return;
    this.addHeads(top, updates, traces);
    this.animate(top, { data: updates, traces }, STILL);
    this.root.dataset.knob = `${name}:${index}`;
    if (event && event.t !== undefined) this.logLatency(event);
  }

  // Input event to repainted chart, per chart (bench/browser.py): the next frame's paint happens after its
  // requestAnimationFrame callbacks, so a task queued from one runs once this chart's change is on screen.
  logLatency(event) {
    requestAnimationFrame(() => setTimeout(() => {
      const log = (window.rmspLatency = window.rmspLatency || []);
      log.push({ id: event.id, ms: performance.now() - event.t });
    }, 0));
  }

  // ------------------------------------------------------------------ playback

  // The part of a run drawn at the current playback step (all of it when playback is not in use).
  trail(run) {
    if (this.step === null) return run;
    const n = countUpTo(run.steps, this.step);
    return { x: head(run.x, n), y: head(run.y, n), c: run.c && head(run.c, n) };
  }

  applyStep(k) {
    this.step = k;
    const top = this.layers[this.layers.length - 1];
    if (!top || !this.full) return;
    const updates = [], traces = [];
    this.full.forEach((full, i) => {
      if (!full) return;
      const n = k === null ? full.steps.length : countUpTo(full.steps, k);
      const update = { x: head(full.x, n), y: head(full.y, n) };
      if (full.c) update.customdata = head(full.c, n);
      updates.push(update);
      traces.push(i);
    });
    this.addHeads(top, updates, traces);
    if (traces.length) this.animate(top, { data: updates, traces }, STILL);
    if (this.scrub && k !== null) { this.scrub.value = k; this.stepLabel.textContent = `step ${k}`; }
  }

  // The play heads (traces with meta.head = the uid of their path): each at its path's point at step k, or at
  // its last point when k is past its end or playback is not in use. Added to the same animation as the paths:
  // a second animate call would interrupt the first.
  addHeads(top, updates, traces) {
    top.data.forEach((trace, i) => {
      const of = trace.meta && trace.meta.head;
      const full = of && this.full[this.traceIndex[of]];
      if (!full || !full.x.length) return;
      const n = this.step === null ? full.x.length : Math.max(1, countUpTo(full.steps, this.step));
      updates.push({ x: [full.x[n - 1]], y: [full.y[n - 1]], customdata: [full.steps[n - 1]] });
      traces.push(i);
    });
  }

  drawPlayback(play) {
    this.stopPlaying();
    this.bar.replaceChildren();
    this.bar.hidden = !play;
    this.scrub = null;
    if (!play) return;
    const button = el("button", "rmsp-play-button", this.bar);
    button.type = "button";
    const scrub = el("input", "rmsp-play-scrub", this.bar);
    Object.assign(scrub, { type: "range", min: 0, max: play.last, step: 1, value: play.last });
    scrub.setAttribute("aria-label", "step shown");
    const label = el("output", "rmsp-play-step", this.bar);
    label.textContent = `step ${play.last}`;
    this.scrub = scrub;
    this.stepLabel = label;
    const setLabel = () => { button.textContent = this.timer ? "❚❚ Pause" : "▶ Play"; };
    setLabel();
    button.addEventListener("click", () => {
      if (this.timer) { this.stopPlaying(); setLabel(); return; }
      const frames = Math.min(play.last, play.frames || 100);
      let f = parseInt(scrub.value, 10) >= play.last ? 0 : Math.round((parseInt(scrub.value, 10) / play.last) * frames);
      this.timer = setInterval(() => {
        const k = Math.round((f / frames) * play.last);
        this.broadcast({ step: k });
        if (f >= frames) { this.stopPlaying(); setLabel(); }
        f += 1;
      }, FRAME_MS);
      setLabel();
    });
    scrub.addEventListener("input", () => {
      this.stopPlaying(); setLabel();
      this.broadcast({ step: parseInt(scrub.value, 10) });
    });
  }

  stopPlaying() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  destroy() {
    this.stopPlaying();
    this.resize.disconnect();
    if (this.group) window.removeEventListener(`rmsp-live:${this.group}`, this.onGroup);
    this.layers.forEach((gd) => this.Plotly && this.Plotly.purge(gd));
  }
}

export default function (args) {
  let chart = instances.get(args.parentElement);
  if (!chart) {
    chart = new LiveChart(args.parentElement);
    instances.set(args.parentElement, chart);
  }
  chart.render(args).catch((error) => {
    chart.root.textContent = `The chart could not be drawn: ${error.message}`;
  });
  return () => { chart.destroy(); instances.delete(args.parentElement); };
}
