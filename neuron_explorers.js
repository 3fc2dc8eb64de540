// The live view of the One Neuron explorers (neuron_explorers.py), an anywidget ES module.
//
// The kernel sends, once, everything a control can ask for (every learning rate's run, every
// step, the hand-fit's data sample and loss bowl) and, when this page asks for one it has not
// got, a PNG of a figure's static part per theme with the panels' geometry. The page owns the
// view: the controls' values, the epoch or step shown, Play, the frame slider's maximum and the
// readout follow here, from those numbers, with no kernel round trip. The kernel never writes
// a control in reply to the page, so a late reply cannot undo a newer choice.
//
// This module draws the moving artists on a canvas over the PNG, from one description per
// artist (neuron_explorers.describe: colour, alpha, width, dashes, marker), with the same
// transforms as matplotlib; and it formats the readout (the one place it is formatted).
//
// A page without a kernel can use it too: give the model `backgrounds` (every key's PNGs) and
// no `self_id`; see /tmp/coord/EXPLORERS-API.md. Nothing here loads from the network.

// ---- numbers, as this page writes them -----------------------------------------------------

// `digits` significant digits; exponent form below 1e-4 and from 10**(digits + 2) up.
export function sig(v, digits) {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (v === 0) return "0";
  const exponent = Math.floor(Math.log10(Math.abs(v)));
  if (exponent < -4 || exponent >= digits + 2) {
    const [mantissa, power] = v.toExponential(digits - 1).split("e");
    return `${trimZeros(mantissa)}e${power}`;
  }
  return trimZeros(Number(v.toPrecision(digits)).toFixed(Math.max(0, digits - 1 - exponent)));
}

// `digits` digits after the point.
export function fix(v, digits) {
  if (!Number.isFinite(v)) return sig(v, 1);
  return Math.abs(v) < 1e21 ? v.toFixed(digits) : sig(v, 4);
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

// ---- what each explorer shows: its state from the model, its readout ----------------------

function celsius(w, b, scale) {
  if (!scale) return `w = ${sig(w, 4)}, b = ${sig(b, 4)}`;
  return `w = ${sig(w, 4)} (that is ${fix(w / scale, 4)} °F per °C), b = ${fix(b, 3)} °F; ` +
    `100 °C → ${fix(w * (100 / scale) + b, 2)} °F`;
}

function bad(settings, text) {
  return `<b style="color:${settings.bad || "#D55E00"}">${text}</b>`;
}

// The readout of each kind, from its state (the numbers on screen) and its settings.
export const READOUT = {
  training(s, settings) {
    let html = `lr = ${s.lr}, epoch ${s.k} of ${s.K}: loss = ${sig(s.loss, 4)}; ` +
      celsius(s.w, s.b, settings.scale);
    if (s.diverged) {
      const when = s.K < s.E ? `training stopped after ${s.K} of the ${s.E} epochs asked`
        : `after all ${s.E} epochs`;
      html += `<br>${bad(settings, `lr = ${s.lr} diverged`)}: every step overshoots and the ` +
        `loss grows (${when}). Gradient descent is stable only below lr = ` +
        `${sig(settings.threshold, 3)}, the divergence threshold.`;
    }
    return html;
  },

  step(s, settings) {
    let html = `after ${s.k} step${s.k === 1 ? "" : "s"}: w = ${sig(s.w, 4)}, ` +
      `b = ${sig(s.b, 4)}, loss = ${sig(s.loss, 4)}<br>next step: ` +
      `w ← ${sig(s.w, 4)} − ${s.lr} × (${sig(s.dw, 4)}),  ` +
      `b ← ${sig(s.b, 4)} − ${s.lr} × (${sig(s.db, 4)})`;
    if (s.diverged) {
      const stopped = s.S < settings.max_steps
        ? ` (the run was stopped after ${s.S} steps, when the loss had grown ` +
          `${sig(settings.exploded, 1)}-fold)` : "";
      html += `<br>${bad(settings, `lr = ${s.lr} diverges`)}: every step overshoots and the ` +
        `loss grows${stopped}. Gradient descent is stable only below lr = ` +
        `${sig(settings.threshold, 3)}, the divergence threshold.`;
    }
    return html;
  },

  hand_fit(s, settings) {
    const verdict = s.loss < s.gd_loss ? "✔ you beat gradient descent!"
      : "keep going: can you beat it?";
    let html = `your loss: <b>${fix(s.loss, 2)}</b>; gradient descent after ${s.gd_epochs} ` +
      `epochs: ${fix(s.gd_loss, 2)}; ${verdict}<br>` + celsius(s.w, s.b, settings.scale);
    if (s.note) html += `<br>(${s.note})`;
    return html;
  },
};

// The loss of the line w*x + b over all the data, from the bowl's five numbers, with the
// float operations of neuron_fast.bowl_losses (so that it equals the kernel's ex.loss).
export function bowlLoss(bowl, w, b) {
  const [mx, my, vx, beta, lowest] = bowl;
  const d = w - beta;
  const r = w * mx + b - my;
  return vx * (d * d) + r * r + lowest;
}

function floats(view) {
  if (!view) return new Float64Array(0);
  if (view instanceof Float64Array) return view;
  if (Array.isArray(view)) return Float64Array.from(view);
  const bytes = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
  return new Float64Array(bytes);
}

// The kernel's runs, decoded once per model.
function decodeRuns(runs) {
  if (!runs || !runs.lr) return null;
  const out = { ...runs };
  for (const name of ["w", "b", "loss", "dw", "db"]) {
    if (runs[name]) out[name] = runs[name].map(floats);
  }
  return out;
}

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
const divergedAt = (runs, i, asked) => runs.diverges_at[i] >= 0 && runs.diverges_at[i] <= asked;

// Each kind: its state from the model's values (`get`) and the decoded data; which background.
export const STATE = {
  training(get, runs) {
    const i = get("lr_index");
    const E = get("epochs");
    const K = Math.min(E, runs.stopped[i]);
    const k = clamp(get("frame"), 0, K);
    return {
      i, E, K, k, lr: String(runs.lr[i]), lrValue: runs.lr[i], loss: runs.loss[i][k],
      w: runs.w[i][k], b: runs.b[i][k], diverged: divergedAt(runs, i, E), run: i,
    };
  },
  step(get, runs) {
    const i = get("lr_index");
    const S = runs.stopped[i];
    const k = clamp(get("steps"), 0, S);
    return {
      i, S, k, lr: String(runs.lr[i]), loss: runs.loss[i][k], w: runs.w[i][k],
      b: runs.b[i][k], dw: runs.dw[i][k], db: runs.db[i][k], diverged: divergedAt(runs, i, k),
    };
  },
  hand_fit(get, data) {
    const w = get("w");
    const b = get("b");
    return {
      w, b, loss: Math.max(0, bowlLoss(data.bowl, w, b)), gd_loss: data.gd_loss,
      gd_epochs: data.gd_epochs, note: data.note, k: null,
    };
  },
};

export function backgroundKey(kind, s, runs, settings) {
  if (kind === "training") {
    const width = (settings.widths || []).find((e) => e >= s.E);
    const step = settings.width_step || 1000;
    return String(width === undefined ? Math.ceil(s.E / step) * step : width);
  }
  if (kind === "step") return String(runs.background[s.i]);
  return "main";
}

// ---- the figure's geometry, as matplotlib's transforms --------------------------------------

function scaler(lim, scale, start, length, flip) {
  const f = scale === "log" ? (v) => (v > 0 ? Math.log10(v) : -1e6) : (v) => v;
  const lo = f(lim[0]);
  const hi = f(lim[1]);
  return (v) => {
    const t = (f(v) - lo) / (hi - lo);
    return flip ? start + length - t * length : start + t * length;
  };
}

export function axes(panel) {
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

const paint = (color, ink) => (color === "ink" ? ink : color);

// ---- drawing an artist from its description -------------------------------------------------

function markerPath(ctx, marker, px, py, ms) {
  const h = ms / 2;
  ctx.beginPath();
  if (marker === "v" || marker === "^") {
    const s = marker === "v" ? 1 : -1; // y grows downwards here
    ctx.moveTo(px, py + s * h);
    ctx.lineTo(px - h, py - s * h);
    ctx.lineTo(px + h, py - s * h);
    ctx.closePath();
  } else if (marker === "s") {
    ctx.rect(px - h, py - h, ms, ms);
  } else if (marker === "D") {
    const d = (ms * Math.SQRT2) / 2;
    ctx.moveTo(px, py - d);
    ctx.lineTo(px + d, py);
    ctx.lineTo(px, py + d);
    ctx.lineTo(px - d, py);
    ctx.closePath();
  } else {
    // "o", and "." which matplotlib draws as a circle of half the size
    ctx.arc(px, py, marker === "." ? ms / 4 : ms / 2, 0, 2 * Math.PI);
  }
}

function markers(ctx, a, style, xs, ys, n, ink) {
  const ms = style.ms * PT;
  ctx.fillStyle = paint(style.mfc || style.color, ink);
  ctx.strokeStyle = paint(style.mec || style.color, ink);
  ctx.lineWidth = style.mew * PT;
  ctx.setLineDash([]);
  ctx.lineJoin = style.marker === "o" || style.marker === "." ? "round" : "miter";
  for (let i = 0; i < n; i++) {
    const px = a.x(xs[i]);
    const py = a.y(ys[i]);
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    markerPath(ctx, style.marker, px, py, ms);
    ctx.fill();
    if (style.mew > 0) ctx.stroke();
  }
}

function stroke(ctx, style, ink, cap) {
  ctx.strokeStyle = paint(style.color, ink);
  ctx.lineWidth = style.lw * PT;
  ctx.setLineDash(style.dashes ? style.dashes.map((v) => v * PT) : []);
  ctx.lineDashOffset = (style.offset || 0) * PT;
  ctx.lineCap = style.dashes ? "butt" : cap;
  ctx.lineJoin = "round";
}

// A matplotlib Line2D: its line through the first n points, then its markers.
export function drawLine(ctx, a, style, xs, ys, n, ink) {
  if (n < 1) return;
  ctx.save();
  ctx.globalAlpha = style.alpha ?? 1;
  if (style.lw > 0 && n > 1) {
    stroke(ctx, style, ink, "square"); // matplotlib's "projecting" solid cap
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
  if (style.marker) markers(ctx, a, style, xs, ys, n, ink);
  ctx.restore();
}

// A matplotlib LineCollection: segments [[x0, y0], [x1, y1]].
export function drawSegments(ctx, a, style, segments, ink) {
  ctx.save();
  ctx.globalAlpha = style.alpha ?? 1;
  stroke(ctx, style, ink, "butt");
  ctx.beginPath();
  for (const [[x0, y0], [x1, y1]] of segments) {
    ctx.moveTo(a.x(x0), a.y(y0));
    ctx.lineTo(a.x(x1), a.y(y1));
  }
  ctx.stroke();
  ctx.restore();
}

// A matplotlib Text placed in axes fractions.
export function drawText(ctx, a, style, value, ink) {
  if (!value) return;
  (ctx.ncTexts || (ctx.ncTexts = [])).push(value); // also said in the canvas's aria-label
  ctx.save();
  ctx.globalAlpha = style.alpha ?? 1;
  ctx.fillStyle = paint(style.color, ink);
  ctx.font = `${style.weight === "bold" ? "bold" : "normal"} ${style.fontsize * PT}px ` +
    `"DejaVu Sans", sans-serif`;
  ctx.textAlign = style.ha || "center";
  ctx.textBaseline = "alphabetic";
  ctx.fillText(value, a.ax(style.x), a.ay(style.y));
  ctx.restore();
}

// Does the line w*x + b cross the panel? (Else the view says it has left the chart.)
function crosses(panel, w, b) {
  const ends = panel.xlim.map((x) => w * x + b);
  return Math.max(...ends) >= panel.ylim[0] && Math.min(...ends) <= panel.ylim[1];
}

const range = (n) => Float64Array.from({ length: n }, (_, i) => i);

// Each kind draws its state's moving artists over the background's panels.
export const DRAW = {
  training(ctx, P, settings, s, runs, ink) {
    const A = settings.artists;
    const loss = axes(P.loss);
    const fit = axes(P.fit);
    const losses = runs.loss[s.i];
    ctx.save();
    clipTo(ctx, loss);
    drawLine(ctx, loss, A.curve, range(s.k + 1), losses, s.k + 1, ink);
    drawLine(ctx, loss, A.dot, [s.k], [losses[s.k]], 1, ink);
    ctx.restore();
    drawText(ctx, loss, A.warning, s.diverged && s.k === s.K ? settings.texts.warning : "", ink);
    drawLine(ctx, axes(P.lr), A.lr_mark, [s.lrValue], [0.5], 1, ink); // unclipped, as there
    ctx.save();
    clipTo(ctx, fit);
    const xl = fit.panel.xlim;
    drawLine(ctx, fit, A.line, xl, xl.map((x) => s.w * x + s.b), 2, ink);
    ctx.restore();
    drawText(ctx, fit, A.off_chart, crosses(fit.panel, s.w, s.b) ? "" : settings.texts.off_chart,
      ink);
  },

  step(ctx, P, settings, s, runs, ink) {
    const A = settings.artists;
    const surface = axes(P.surface);
    const loss = axes(P.loss);
    ctx.save();
    clipTo(ctx, surface);
    drawLine(ctx, surface, A.path, runs.w[s.i], runs.b[s.i], s.k + 1, ink);
    drawLine(ctx, surface, A.here, [s.w], [s.b], 1, ink);
    ctx.restore();
    ctx.save();
    clipTo(ctx, loss);
    drawLine(ctx, loss, A.curve, range(s.k + 1), runs.loss[s.i], s.k + 1, ink);
    ctx.restore();
  },

  hand_fit(ctx, P, settings, s, data, ink) {
    const A = settings.artists;
    const fit = axes(P.fit);
    const surface = axes(P.surface);
    ctx.save();
    clipTo(ctx, fit);
    const xl = fit.panel.xlim;
    drawLine(ctx, fit, A.line, xl, xl.map((x) => s.w * x + s.b), 2, ink);
    const segments = Array.from(data.x, (x, i) => [[x, data.y[i]], [x, s.w * x + s.b]]);
    drawSegments(ctx, fit, A.errors, segments, ink);
    ctx.restore();
    drawText(ctx, fit, A.off_chart, crosses(fit.panel, s.w, s.b) ? "" : settings.texts.off_chart,
      ink);
    ctx.save();
    clipTo(ctx, surface);
    drawLine(ctx, surface, A.guess, [s.w], [s.b], 1, ink);
    ctx.restore();
  },
};

// ---- theme --------------------------------------------------------------------------------

function luminance(color) {
  const probe = document.createElement("canvas").getContext("2d");
  probe.fillStyle = color;
  const hex = probe.fillStyle; // normalised to #rrggbb (or rgba(...))
  const m = hex.match(/^#(..)(..)(..)$/);
  const [r, g, b] = m ? m.slice(1).map((h) => parseInt(h, 16))
    : (hex.match(/\d+/g) || [255, 255, 255]).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

// "dark" or "light": JupyterLab's theme, else the page's background, else the system's.
export function theme(el) {
  const light = document.body && document.body.dataset.jpThemeLight;
  if (light === "false") return "dark";
  if (light === "true") return "light";
  const background = getComputedStyle(el).getPropertyValue("--jp-layout-color0").trim();
  if (background) return luminance(background) < 0.5 ? "dark" : "light";
  const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  return dark ? "dark" : "light";
}

const INK = { light: "#000000", dark: "#e6e6e6" };
const NARROW = "narrow:"; // a background key's prefix: the narrow layout (neuron_explorers.py)
const NARROW_BELOW = 600; // CSS px, unless the settings say otherwise

// ---- one model's shared state: decoded data, backgrounds, the browser-owned rules -----------

const SHARED = new Map(); // self_id (or the model) -> what all views of one model share

function shared(model) {
  const id = model.get("self_id") || model;
  if (!SHARED.has(id)) {
    const kind = model.get("kind");
    SHARED.set(id, {
      kind,
      data: kind === "hand_fit" ? decodeHandFit(model.get("data")) : decodeRuns(model.get("runs")),
      backgrounds: new Map(),
      asked: new Set(),
      player: { running: false },
    });
  }
  const s = SHARED.get(id);
  for (const bg of [model.get("background"), ...Object.values(model.get("backgrounds") || {})]) {
    addBackground(s, bg);
  }
  return s;
}

function decodeHandFit(data) {
  return data ? { ...data, x: floats(data.x), y: floats(data.y) } : null;
}

function addBackground(s, bg) {
  if (!bg || !bg.key || s.backgrounds.has(bg.key)) return;
  const url = (view) => URL.createObjectURL(new Blob([view], { type: "image/png" }));
  s.backgrounds.set(bg.key, { light: url(bg.light), dark: url(bg.dark), size: bg.size,
    panels: bg.panels, key: bg.key, font_px: bg.font_px });
}

// The view state the page owns. A change of the run shown ends at the new run's last epoch
// (step: keeps the steps taken, within the new run). The slider's value and maximum go to the
// kernel in the order that never puts the value above the maximum: a kernel that had to clamp
// it would send the clamped value back, late.
function followRun(model, s) {
  const st = STATE[s.kind]((n) => model.get(n), s.data);
  const [value, most, last] = s.kind === "training" ? ["frame", "frame_max", st.K]
    : s.kind === "step" ? ["steps", "steps_max", st.S] : [null, null, null];
  if (value === null) return;
  if (s.kind === "training") stopPlay(model, s);
  const target = s.kind === "training" ? last : Math.min(model.get(value), last);
  const order = last < model.get(most) ? [value, most] : [most, value];
  for (const name of order) {
    const wanted = name === most ? last : target;
    if (model.get(name) !== wanted) {
      model.set(name, wanted);
      model.save_changes();
    }
  }
}

function stopPlay(model, s) {
  s.player.running = false;
  if (model.get("playing")) {
    model.set("playing", false);
    model.save_changes();
  }
}

function play(model, s) {
  const player = s.player;
  model.set({ play_label: model.get("playing") ? "Pause" : "Play",
    play_icon: model.get("playing") ? "pause" : "play" });
  model.save_changes();
  if (!model.get("playing")) {
    if (player.running) {
      player.running = false;
      model.save_changes(); // where Play stopped
    }
    return;
  }
  if (player.running) return; // Play cannot run twice
  const last = model.get("frame_max");
  let first = model.get("frame");
  if (first >= last) first = 0;
  const settings = model.get("settings").play;
  const speed = Math.max(settings.min_speed, last / settings.seconds);
  player.running = true;
  const t0 = performance.now();
  const tick = (now) => {
    if (!player.running) return;
    const k = Math.min(last, first + Math.floor((Math.max(0, now - t0) / 1000) * speed));
    if (k !== model.get("frame")) model.set("frame", k); // saved when Play stops
    if (k >= last) {
      player.running = false;
      model.set({ playing: false, play_label: "Play", play_icon: "play" });
      model.save_changes();
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function initialize({ model }) {
  const s = shared(model);
  const follow = () => followRun(model, s);
  const onPlay = () => play(model, s);
  const events = s.kind === "training" ? ["change:lr_index", "change:epochs"]
    : s.kind === "step" ? ["change:lr_index"] : [];
  for (const event of events) model.on(event, follow);
  if (s.kind === "training") model.on("change:playing", onPlay);
  return () => {
    for (const event of events) model.off(event, follow);
    if (s.kind === "training") model.off("change:playing", onPlay);
    s.player.running = false;
  };
}

// ---- the view -------------------------------------------------------------------------------

// Is this model connected to a kernel? (Restored from a notebook's saved state, it is not.)
async function watchLive(model, el, listeners) {
  const id = model.get("self_id");
  const manager = model.widget_manager;
  if (!id || !manager || !manager.get_model) return; // a page made to run without a kernel
  let backbone;
  try {
    backbone = await manager.get_model(id);
  } catch (error) {
    return;
  }
  const update = () => el.classList.toggle("nc-picture", !backbone.comm_live);
  update();
  backbone.on("comm_live_update", update);
  listeners.push(() => backbone.off("comm_live_update", update));
}

function render({ model, el }) {
  const s = shared(model);
  el.classList.add("nc-live");
  const banner = document.createElement("div");
  banner.className = "nc-banner";
  banner.setAttribute("role", "status");
  banner.textContent = "A picture of the explorer, saved with the notebook: run this cell to " +
    "move it.";
  const readout = document.createElement("div");
  readout.className = "nc-readout widget-html-content";
  readout.setAttribute("aria-live", "polite");
  const scroll = document.createElement("div");
  scroll.className = "nc-scroll";
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
  scroll.append(wrap);
  el.append(banner, readout, scroll);
  const listeners = [];
  let paints = 0;
  let shownKey = null;

  const background = (key, layout) => {
    const wanted = layout + key;
    const found = s.backgrounds.get(wanted);
    if (found) return found;
    if (!s.asked.has(wanted)) {
      s.asked.add(wanted);
      model.send({ want: wanted }); // the reply is tagged with the key
    }
    return s.backgrounds.get(shownKey) || s.backgrounds.get(key) ||
      s.backgrounds.values().next().value;
  };

  // The layout: below settings.narrow_below CSS px the panels stack (backgrounds keyed
  // NARROW + key, drawn for a figure about as wide as a phone), so their text is not scaled
  // down to a few pixels. The one shown decides the class: until a narrow background arrives
  // the wide one stays, as it was.
  const narrow = (settings) => {
    const width = el.clientWidth;
    return width > 0 && width < (settings.narrow_below || NARROW_BELOW);
  };

  let drawing = false; // the readout written below changes the model: no second paint for it
  const draw = () => {
    if (drawing) return;
    drawing = true;
    try {
      paintOnce();
    } finally {
      drawing = false;
    }
  };

  const paintOnce = () => {
    const settings = model.get("settings");
    if (!s.data || !settings) return;
    const state = STATE[s.kind]((n) => model.get(n), s.data);
    const layout = narrow(settings) ? NARROW : "";
    const bg = background(backgroundKey(s.kind, state, s.data, settings), layout);
    if (!bg) return;
    shownKey = bg.key;
    const stacked = bg.key.startsWith(NARROW);
    el.classList.toggle("nc-narrow", stacked);
    const th = theme(el);
    const ink = (settings.ink || INK)[th];
    if (img.getAttribute("src") !== bg[th]) img.setAttribute("src", bg[th]);
    const [W, H] = bg.size;
    wrap.style.maxWidth = `${W}px`;
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
    ctx.ncTexts = [];
    DRAW[s.kind](ctx, bg.panels, settings, state, s.data, ink);
    const html = READOUT[s.kind](state, settings);
    if (readout.innerHTML !== html) readout.innerHTML = html;
    if (model.get("readout") !== html) {
      model.set("readout", html);
      if (!s.player.running) model.save_changes();
    }
    const said = [settings.description || "", ...ctx.ncTexts].join(" ").trim();
    if (canvas.getAttribute("aria-label") !== said) canvas.setAttribute("aria-label", said);
    paints += 1;
    canvas.dataset.paints = String(paints);
    canvas.dataset.frame = String(state.k ?? "");
    canvas.dataset.theme = th;
    // What a test (or a reader of the page) needs to tell the text's size on screen: the
    // smallest text of the picture and of the canvas, in CSS px.
    canvas.dataset.layout = stacked ? "narrow" : "wide";
    canvas.dataset.fontPx = ((bg.font_px || 0) * scale).toFixed(2);
    canvas.dispatchEvent(new CustomEvent("nc-paint", { detail: { frame: state.k } }));
  };

  const on = (event, fn) => {
    model.on(event, fn);
    listeners.push(() => model.off(event, fn));
  };
  on("change:background", () => {
    addBackground(s, model.get("background"));
    draw();
  });
  on("change:backgrounds", () => {
    for (const bg of Object.values(model.get("backgrounds") || {})) addBackground(s, bg);
    draw();
  });
  on("change", () => draw()); // any control: drawn at once, from the numbers already here
  img.addEventListener("load", () => draw());
  const resize = new ResizeObserver(() => draw());
  resize.observe(wrap);
  resize.observe(el); // the layout follows the explorer's width, which the plot may not
  const themes = new MutationObserver(() => draw());
  if (document.body) {
    themes.observe(document.body, { attributes: true,
      attributeFilter: ["data-jp-theme-light", "data-jp-theme-name"] });
  }
  watchLive(model, el, listeners);
  draw();
  return () => {
    resize.disconnect();
    themes.disconnect();
    listeners.forEach((off) => off());
  };
}

export default { initialize, render };
