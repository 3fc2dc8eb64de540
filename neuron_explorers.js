// The live view of the One Neuron explorers (neuron_explorers.py), an anywidget ES module.
//
// The kernel sends, once, a PNG of each figure's static part (axes, ticks, labels, contours,
// data points, the learning-rate strip) with the figure's description (`spec`): every panel's
// pixel box, limits and scales, and the style of every moving artist. It sends the numbers to
// draw (`data`) when a slider asks for a new computation. This module draws the moving artists
// on a canvas over the PNG, with the same transforms as matplotlib, and runs Play and the
// "epoch shown" / "steps" sliders here, in the browser: no kernel round trip per frame. The
// frame goes back to the kernel once, when Play stops.
//
// Nothing here is loaded from the network: the kernel sends this file's text.

// ---- numbers as Python formats them ------------------------------------------------------

// Python's format(v, ".Ng") or ".Nf". (One difference is left: a number written in exponent
// notation whose digits are an exact tie, as 1.2345e+20 is at .4g, rounds away from zero here
// and to even in Python; in fixed notation ties are rounded to even, as Python does.)
export function formatNumber(v, digits, kind) {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (kind === "f") return (Object.is(v, -0) ? "-" : "") + fixed(v, digits);
  const p = digits === 0 ? 1 : digits;
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const [mantissa, exponentText] = v.toExponential(p - 1).split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= p) {
    const m = stripZeros(mantissa);
    const sign = exponent < 0 ? "-" : "+";
    return `${m}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return stripZeros(fixed(v, Math.max(0, p - 1 - exponent)));
}

function fixed(v, digits) {
  if (Math.abs(v) >= 1e21) return bigFixed(v, digits);
  // toFixed rounds an exact tie away from zero, Python to even: find ties in the exact digits
  // (30 more than kept: a double that is not a tie differs from one by its 17th digit).
  const exact = Math.abs(v).toFixed(Math.min(100, digits + 30));
  const cut = exact.indexOf(".") + 1 + digits; // the first digit dropped
  if (exact[cut] === "5" && /^0*$/.test(exact.slice(cut + 1))) {
    const kept = exact.slice(0, cut).replace(/\.$/, "");
    if (Number(kept[kept.length - 1]) % 2 === 0) return (v < 0 ? "-" : "") + kept;
  }
  return v.toFixed(digits);
}

function bigFixed(v, digits) {
  // toFixed switches to exponent notation at 1e21; Python never does for "f".
  const whole = BigInt(Math.trunc(v)).toString();
  return digits > 0 ? `${whole}.${"0".repeat(digits)}` : whole;
}

function stripZeros(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

// Fill a template written for Python's str.format: {name}, {name:.4g}, {name:.2f}.
export function fill(template, vars) {
  return template.replace(/\{(\w+)(?::\.(\d+)([gf]))?\}/g, (_, name, digits, kind) => {
    const value = vars[name];
    if (digits === undefined) return typeof value === "number" ? pyStr(value) : String(value);
    return formatNumber(Number(value), Number(digits), kind);
  });
}

function pyStr(v) {
  // str(int) for whole numbers held as numbers (counts); repr-like for floats.
  return Number.isInteger(v) ? String(v) : formatNumber(v, 17, "g");
}

// ---- the figure's geometry ----------------------------------------------------------------

function scaler(lim, scale, start, length, flip) {
  const f = scale === "log" ? Math.log10 : (v) => v;
  const lo = f(lim[0]);
  const hi = f(lim[1]);
  return (v) => {
    let t = scale === "log" ? (v > 0 ? Math.log10(v) : -1e6) : v;
    t = (t - lo) / (hi - lo);
    return flip ? start + length - t * length : start + t * length;
  };
}

function axes(panel) {
  const [x0, y0, w, h] = panel.box; // figure pixels, from the top left
  return {
    panel,
    x: scaler(panel.xlim, panel.xscale, x0, w, false),
    y: scaler(panel.ylim, panel.yscale, y0, h, true),
    ax: (f) => x0 + f * w, // axes fractions
    ay: (f) => y0 + h - f * h,
  };
}

const PT = 96 / 72; // matplotlib sizes are in points; the PNG is drawn at 96 dpi

function clipTo(ctx, a) {
  const [x0, y0, w, h] = a.panel.box;
  ctx.beginPath();
  ctx.rect(x0, y0, w, h);
  ctx.clip();
}

function polyline(ctx, a, xs, ys, n, style) {
  if (n < 1) return;
  ctx.strokeStyle = style.color;
  ctx.lineWidth = style.lw * PT;
  ctx.lineJoin = "round";
  ctx.lineCap = "butt";
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < n; i++) {
    const px = a.x(xs[i]);
    const py = a.y(ys[i]);
    if (!Number.isFinite(px) || !Number.isFinite(py)) {
      pen = false;
      continue;
    }
    if (pen) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    pen = true;
  }
  ctx.stroke();
}

function marker(ctx, px, py, style) {
  if (!Number.isFinite(px) || !Number.isFinite(py)) return;
  const size = style.ms * PT;
  ctx.fillStyle = style.color;
  ctx.strokeStyle = style.mec || style.color;
  ctx.lineWidth = (style.mew || 1) * PT;
  ctx.beginPath();
  if (style.marker === "v") {
    const r = size / 2;
    ctx.moveTo(px - r, py - r);
    ctx.lineTo(px + r, py - r);
    ctx.lineTo(px, py + r);
    ctx.closePath();
  } else {
    // "o" and "." (matplotlib draws "." at half the marker size)
    const r = (style.marker === "." ? size / 2 : size) / 2;
    ctx.arc(px, py, r, 0, 2 * Math.PI);
  }
  ctx.fill();
  if (style.mec) ctx.stroke();
}

function text(ctx, a, style, value) {
  if (!value) return;
  (ctx.ncTexts || (ctx.ncTexts = [])).push(value); // also said in the canvas's aria-label
  ctx.fillStyle = style.color;
  ctx.font = `${style.weight || "normal"} ${style.fontsize * PT}px "DejaVu Sans", sans-serif`;
  ctx.textAlign = style.ha || "center";
  ctx.textBaseline = "alphabetic";
  ctx.fillText(value, a.ax(style.x), a.ay(style.y));
}

// Does the line w*x + b cross the panel? (Else the view says it has left the chart.)
function crosses(panel, w, b) {
  const ends = panel.xlim.map((x) => w * x + b);
  return Math.max(...ends) >= panel.ylim[0] && Math.min(...ends) <= panel.ylim[1];
}

function floats(view) {
  if (!view) return new Float64Array(0);
  if (Array.isArray(view)) return Float64Array.from(view);
  const bytes = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
  return new Float64Array(bytes);
}

// ---- what each explorer draws ---------------------------------------------------------------

// Each function draws frame k of the data on ctx and returns the readout's variables.
const DRAW = {
  training(ctx, spec, data, k) {
    const loss = axes(spec.panels.loss);
    const lr = axes(spec.panels.lr);
    const fit = axes(spec.panels.fit);
    const s = spec.artists;
    const { w: ws, b: bs, loss: losses } = data.arrays;
    const K = losses.length - 1;
    k = Math.max(0, Math.min(k, K));
    const epochs = Float64Array.from({ length: k + 1 }, (_, i) => i);
    ctx.save();
    clipTo(ctx, loss);
    polyline(ctx, loss, epochs, losses, k + 1, s.curve);
    marker(ctx, loss.x(k), loss.y(losses[k]), s.dot);
    ctx.restore();
    text(ctx, loss, s.warning, data.vars.diverged && k === K ? s.warning.text : "");
    marker(ctx, lr.x(data.vars.lr), lr.ay(0.5), s.lr_mark); // not clipped, as in matplotlib
    ctx.save();
    clipTo(ctx, fit);
    const xl = fit.panel.xlim;
    polyline(ctx, fit, xl, xl.map((x) => ws[k] * x + bs[k]), 2, s.line);
    ctx.restore();
    text(ctx, fit, s.off_chart, crosses(fit.panel, ws[k], bs[k]) ? "" : s.off_chart.text);
    return { ...frameVars(data, k, spec.scale), k, K };
  },

  hand_fit(ctx, spec, data) {
    const fit = axes(spec.panels.fit);
    const surface = axes(spec.panels.surface);
    const s = spec.artists;
    const xs = floats(spec.points.x);
    const ys = floats(spec.points.y);
    const { w, b } = data.vars;
    ctx.save();
    clipTo(ctx, fit);
    const xl = fit.panel.xlim;
    polyline(ctx, fit, xl, xl.map((x) => w * x + b), 2, s.line);
    const yhat = data.arrays.y_hat;
    for (let i = 0; i < xs.length; i++) {
      polyline(ctx, fit, [xs[i], xs[i]], [ys[i], yhat[i]], 2, s.errors);
    }
    ctx.restore();
    text(ctx, fit, s.off_chart, crosses(fit.panel, w, b) ? "" : s.off_chart.text);
    ctx.save();
    clipTo(ctx, surface);
    marker(ctx, surface.x(w), surface.y(b), s.guess);
    ctx.restore();
    return data.vars;
  },

  step(ctx, spec, data, k) {
    const surface = axes(spec.panels.surface);
    const loss = axes(spec.panels.loss);
    const s = spec.artists;
    const { w: ws, b: bs, loss: losses } = data.arrays;
    const K = losses.length - 1;
    k = Math.max(0, Math.min(k, K));
    const steps = Float64Array.from({ length: k + 1 }, (_, i) => i);
    ctx.save();
    clipTo(ctx, surface);
    polyline(ctx, surface, ws, bs, k + 1, s.path);
    for (let i = 0; i <= k; i++) marker(ctx, surface.x(ws[i]), surface.y(bs[i]), s.path);
    marker(ctx, surface.x(ws[k]), surface.y(bs[k]), s.here);
    ctx.restore();
    ctx.save();
    clipTo(ctx, loss);
    polyline(ctx, loss, steps, losses, k + 1, s.curve);
    for (let i = 0; i <= k; i++) marker(ctx, loss.x(i), loss.y(losses[i]), s.curve);
    ctx.restore();
    return { ...frameVars(data, k, null), k, s: k === 1 ? "" : "s" };
  },
};

export function frameVars(data, k, scale) {
  const vars = { ...data.vars };
  for (const [name, values] of Object.entries(data.arrays)) vars[name] = values[k];
  if (scale) {
    // As neuron_explorers._celsius_arrays computes them: the same float operations.
    vars.wc = vars.w / scale;
    vars.f100 = vars.w * (100.0 / scale) + vars.b;
  }
  return vars;
}

// ---- the widget -----------------------------------------------------------------------------

const PLAYERS = new WeakMap(); // model -> its Play state: one Play per explorer, however shown

async function control(model, name) {
  const ref = (model.get("controls") || {})[name];
  if (!ref) return null;
  return model.widget_manager.get_model(String(ref).replace(/^IPY_MODEL_/, ""));
}

function decodeRun(run) {
  const arrays = {};
  for (const [name, view] of Object.entries(run.arrays || {})) arrays[name] = floats(view);
  return { ...run, arrays };
}

// One run, or (training explorer) one run per learning rate the slider offers.
function decode(model) {
  const data = model.get("data") || {};
  return data.runs ? { runs: data.runs.map(decodeRun) } : decodeRun(data);
}

async function initialize({ model }) {
  // Play runs here, once per model: two views of the same explorer share it.
  const [frame, play] = await Promise.all([control(model, "frame"), control(model, "play")]);
  if (!frame || !play) return;
  const player = { running: false };
  PLAYERS.set(model, player);

  const stop = () => {
    player.running = false;
    frame.save_changes(); // the one message to the kernel: where Play stopped
    if (play.get("value")) {
      play.set("value", false);
      play.save_changes();
    }
  };

  const start = () => {
    if (player.running) return; // Play cannot run twice
    const last = frame.get("max");
    let first = frame.get("value");
    if (first >= last) first = 0;
    const speed = Math.max(model.get("spec").play.min_speed, last / model.get("spec").play.seconds);
    player.running = true;
    const t0 = performance.now();
    const tick = (now) => {
      if (!player.running) return;
      if (!play.get("value")) {
        stop();
        return;
      }
      const elapsed = Math.max(0, now - t0); // a frame's time may precede the start
      const k = Math.min(last, first + Math.floor((elapsed / 1000) * speed));
      if (k !== frame.get("value")) frame.set("value", k); // no save: the view alone moves
      if (k >= last) {
        stop();
        return;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };

  const onPlay = () => (play.get("value") ? start() : player.running && stop());
  play.on("change:value", onPlay);
  if (play.get("value")) start();
  return () => {
    play.off("change:value", onPlay);
    player.running = false;
  };
}

function render({ model, el }) {
  el.classList.add("nc-live");
  const readout = document.createElement("div");
  readout.className = "nc-readout widget-html-content";
  readout.setAttribute("aria-live", "polite");
  const wrap = document.createElement("div");
  wrap.className = "nc-plot";
  const img = document.createElement("img");
  img.className = "nc-background";
  img.alt = "";
  const canvas = document.createElement("canvas");
  canvas.className = "nc-canvas";
  canvas.setAttribute("role", "img");
  canvas.dataset.paints = "0";
  wrap.append(img, canvas);
  el.append(readout, wrap);

  let spec = model.get("spec");
  let data = decode(model);
  let frameModel = null;
  let lrModel = null;
  let playModel = null;
  const shown = () => (data.runs ? data.runs[lrModel ? lrModel.get("index") : 0] : data);
  let url = null;
  let paints = 0;
  let runs = 0; // data received: the benchmark waits for the paint of a new run
  const listeners = [];

  const setBackground = () => {
    const view = model.get("background");
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(new Blob([view], { type: "image/png" }));
    img.src = url;
  };

  const currentFrame = () => {
    if (!frameModel) return 0;
    return frameModel.get("value");
  };

  const draw = () => {
    if (!spec || !spec.size) return;
    const [W, H] = spec.size;
    const scale = (wrap.clientWidth || W) / W;
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.round(W * scale * dpr);
    const ch = Math.round(H * scale * dpr);
    if (canvas.width !== cw || canvas.height !== ch) {
      canvas.width = cw;
      canvas.height = ch;
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, cw, ch);
    ctx.setTransform(scale * dpr, 0, 0, scale * dpr, 0, 0);
    const run = shown();
    if (!run || !run.arrays || !DRAW[spec.kind]) return;
    ctx.ncTexts = [];
    const vars = DRAW[spec.kind](ctx, spec, run, currentFrame());
    let html = fill(spec.template, vars);
    if (vars.diverged) html += "<br>" + fill(run.diverged_template || "", vars);
    if (readout.innerHTML !== html) readout.innerHTML = html;
    const said = [spec.description || "", ...ctx.ncTexts].join(" ").trim();
    if (canvas.getAttribute("aria-label") !== said) canvas.setAttribute("aria-label", said);
    paints += 1;
    canvas.dataset.paints = String(paints);
    canvas.dataset.runs = String(runs);
    canvas.dataset.frame = String(vars.k ?? "");
    canvas.dispatchEvent(new CustomEvent("nc-paint", { detail: { run: runs, frame: vars.k } }));
  };

  // Draw at once: a change arrives at most once per message, Play once per animation frame.
  const request = () => draw();

  const on = (target, event, fn) => {
    target.on(event, fn);
    listeners.push(() => target.off(event, fn));
  };
  on(model, "change:background", setBackground);
  on(model, "change:spec", () => {
    spec = model.get("spec");
    request();
  });
  on(model, "change:data", () => {
    data = decode(model);
    runs += 1;
    request();
  });
  setBackground();
  wrap.style.maxWidth = spec && spec.size ? `${spec.size[0]}px` : "";
  img.addEventListener("load", () => request());
  const resize = new ResizeObserver(() => request());
  resize.observe(wrap);

  control(model, spec && spec.frame_control).then((m) => {
    frameModel = m;
    if (m) on(m, "change:value", request);
    request();
  });
  // The training explorer has every learning rate's run: moving lr is drawn here at once, at
  // the end of the new run (the kernel, told by the slider, sets the same frame).
  Promise.all([control(model, "lr"), control(model, "play")]).then(([lr, play]) => {
    playModel = play;
    if (!lr || !data.runs) return;
    lrModel = lr;
    on(lr, "change:index", () => {
      const run = shown();
      if (playModel && playModel.get("value")) playModel.set("value", false);
      if (run && frameModel) {
        const K = run.arrays.loss.length - 1;
        frameModel.set({ max: K, value: K }); // no save: the kernel sets the same
      }
      request();
    });
    request();
  });
  request();
  return () => {
    resize.disconnect();
    listeners.forEach((off) => off());
    if (url) URL.revokeObjectURL(url);
  };
}

export default { initialize, render };
