// The static explorer page's stand-in for JupyterLab's widget manager (scripts/build_site.py).
//
// In JupyterLab each explorer is a tree of widget models (sliders, buttons, boxes), jslinks
// from the controls to a live view, and the live view itself, an anywidget model drawn by
// neuron_explorers.js. The kernel computes everything when the explorer is made and the browser
// does the rest, so this page needs only the models' state (embedded by build_site.py, every
// background included): it draws each control as a plain HTML input bound to its model, keeps
// the links, and hands the live view's model to the same ES module. Nothing is fetched: the
// module, the state and the bytes (two base64 blobs: pictures, numbers) are in this page.

const PAGE = JSON.parse(document.getElementById("nc-manifest").textContent);
const REF = "IPY_MODEL_";
const BLOBS = { $b: decodeBase64(document.getElementById("nc-pictures").textContent), $n: null };

function decodeBase64(text) {
  const chars = atob(text.trim());
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

// The numbers' blob: deflated, and shuffled (all the values' first bytes, then their second
// bytes...) by build_site.py; inflated by the browser, then put back in order.
async function numbers() {
  const packed = decodeBase64(document.getElementById("nc-numbers").textContent);
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate"));
  const lanes = new Uint8Array(await new Response(stream).arrayBuffer());
  const n = lanes.length / 8;
  const bytes = new Uint8Array(lanes.length);
  for (let j = 0; j < 8; j++) {
    for (let i = 0; i < n; i++) bytes[i * 8 + j] = lanes[j * n + i];
  }
  return bytes;
}

// The state as JSON, with each {"$b" or "$n": [offset, length]} made a DataView of its blob:
// what anywidget hands the module for a bytes value (a view of a binary message buffer).
function revive(value) {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === "object") {
    const [kind] = Object.keys(value);
    if (Object.keys(value).length === 1 && kind in BLOBS && Array.isArray(value[kind])) {
      const [offset, length] = value[kind];
      const blob = BLOBS[kind];
      return new DataView(blob.buffer, blob.byteOffset + offset, length);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

function same(a, b) {
  if (a === b) return true;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) return false; // new bytes: a new value
  if (!a || !b || typeof a !== "object" || typeof b !== "object") return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => same(a[k], b[k]));
}

// ---- a widget model: the part of anywidget's / Backbone's model the module uses -----------

class Model {
  // No widget_manager: the module then knows there is no kernel to ask (EXPLORERS-API.md).
  constructor(name, state) {
    this.name = name;
    this.state = revive(state);
    this.listeners = new Map(); // event -> [callback, ...]
  }

  get(key) {
    return this.state[key];
  }

  // set("key", value) or set({key: value, ...}): then "change:key" per changed key, "change".
  set(key, value) {
    const changes = typeof key === "object" ? key : { [key]: value };
    const changed = Object.keys(changes).filter((k) => !same(this.state[k], changes[k]));
    for (const k of changed) this.state[k] = changes[k];
    for (const k of changed) this.emit(`change:${k}`, this.state[k]);
    if (changed.length) this.emit("change");
  }

  on(event, callback) {
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event).push(callback);
  }

  off(event, callback) {
    if (event === undefined) this.listeners.clear();
    else if (callback === undefined) this.listeners.delete(event);
    else this.listeners.set(event, (this.listeners.get(event) || []).filter((f) => f !== callback));
  }

  emit(event, value) {
    for (const callback of [...(this.listeners.get(event) || [])]) callback(this, value);
  }

  // No kernel: the page holds the only copy of the state, so there is nothing to send.
  save_changes() {}

  send(content) {
    // Every background is in the page, so the module has nothing to ask for: say so if it does.
    console.warn("the static page has no kernel to answer", this.name, JSON.stringify(content));
  }
}

// ---- one explorer: its models and the links between them ------------------------------

class Explorer {
  constructor(part) {
    this.part = part;
    this.models = {};
    for (const name of part.order) this.models[name] = new Model(name, part.models[name]);
    for (const model of Object.values(this.models)) this.link(model);
  }

  ref(value) {
    return this.models[String(value).replace(REF, "")];
  }

  // jslink / jsdlink, as the widget manager does them in JupyterLab.
  link(model) {
    const kind = model.get("_model_name");
    if (kind !== "LinkModel" && kind !== "DirectionalLinkModel") return;
    const [sourceRef, sourceKey] = model.get("source");
    const [targetRef, targetKey] = model.get("target");
    const source = this.ref(sourceRef);
    const target = this.ref(targetRef);
    target.set(targetKey, source.get(sourceKey));
    source.on(`change:${sourceKey}`, () => target.set(targetKey, source.get(sourceKey)));
    if (kind === "LinkModel") {
      target.on(`change:${targetKey}`, () => source.set(sourceKey, target.get(targetKey)));
    }
  }
}

// ---- the controls: plain HTML inputs bound to the models ---------------------------------

let uid = 0;

function labelled(model, input) {
  const row = document.createElement("div");
  row.className = "nc-control";
  const label = document.createElement("label");
  input.id = `nc-input-${++uid}`;
  label.htmlFor = input.id;
  label.textContent = model.get("description") || "";
  const output = document.createElement("output");
  output.htmlFor = input.id;
  row.append(label, input, output);
  return { row, output };
}

function formatValue(model, value) {
  const format = model.get("readout_format") || "";
  const digits = /\.(\d+)f/.exec(format);
  if (digits) return Number(value).toFixed(Number(digits[1]));
  return String(value);
}

// A slider: a range input (a selection slider's is over its options' positions).
function slider(model) {
  const input = document.createElement("input");
  input.type = "range";
  const { row, output } = labelled(model, input);
  const labels = () => model.get("_options_labels");
  const key = labels() !== undefined ? "index" : "value";
  const show = () => {
    const value = model.get(key);
    if (key === "index") Object.assign(input, { min: 0, max: labels().length - 1, step: 1 });
    else Object.assign(input, { min: model.get("min"), max: model.get("max"),
                                step: model.get("step") });
    input.value = value;
    const text = key === "index" ? labels()[value] : formatValue(model, value);
    output.textContent = text;
    input.setAttribute("aria-valuetext", text);
    input.disabled = Boolean(model.get("disabled"));
  };
  input.addEventListener("input", () => model.set(key, Number(input.value)));
  for (const k of [key, "min", "max", "step", "_options_labels", "disabled"]) {
    model.on(`change:${k}`, show);
  }
  show();
  row.classList.add("nc-slider");
  return row;
}

function button(explorer, model) {
  const el = document.createElement("button");
  el.type = "button";
  el.className = "nc-button";
  if (model.get("tooltip")) el.title = model.get("tooltip");
  const toggle = model.get("_model_name") === "ToggleButtonModel";
  const show = () => {
    el.textContent = model.get("description"); // Play / Pause: linked to the live view
    if (toggle) el.setAttribute("aria-pressed", String(Boolean(model.get("value"))));
  };
  el.addEventListener("click", () => {
    if (toggle) model.set("value", !model.get("value"));
    const action = explorer.part.actions[model.name];
    if (action) {
      const [what, target] = action;
      const s = explorer.models[target];
      const v = what === "increment" ? Math.min(s.get("value") + 1, s.get("max")) : s.get("min");
      s.set("value", v); // what the kernel's click handler does
    }
  });
  for (const k of ["description", "value", "disabled"]) model.on(`change:${k}`, show);
  show();
  return el;
}

function html(model) {
  const el = document.createElement("div");
  el.className = "nc-html";
  const show = () => (el.innerHTML = model.get("value") || "");
  model.on("change:value", show);
  show();
  return el;
}

// ---- putting it on the page ----------------------------------------------------------------

async function loadModule() {
  const text = document.getElementById("nc-esm").textContent;
  const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
  const mod = await import(url);
  let widget = mod.default ?? mod;
  if (typeof widget === "function") widget = await widget();
  return widget;
}

function build(explorer, model, plots) {
  const kind = model.get("_model_name");
  if (kind === "VBoxModel" || kind === "HBoxModel" || kind === "BoxModel") {
    const box = document.createElement("div");
    box.className = kind === "HBoxModel" ? "nc-row" : "nc-column";
    for (const c of model.get("_dom_classes") || []) box.classList.add(c);
    for (const child of model.get("children") || []) {
      box.append(build(explorer, explorer.ref(child), plots));
    }
    return box;
  }
  if (kind === "AnyModel") {
    const el = document.createElement("div");
    el.className = "nc-anywidget";
    plots.push([model, el]);
    return el;
  }
  if (/SliderModel$/.test(kind)) return slider(model);
  if (kind === "ButtonModel" || kind === "ToggleButtonModel") return button(explorer, model);
  if (kind === "HTMLModel" || kind === "LabelModel") return html(model);
  const unknown = document.createElement("div");
  unknown.textContent = `(${kind}: not shown on this page)`;
  return unknown;
}

async function main() {
  BLOBS.$n = await numbers();
  const widget = await loadModule();
  for (const part of PAGE.explorers) {
    const explorer = new Explorer(part);
    const mount = document.getElementById(`nc-${part.name}`);
    const plots = [];
    mount.append(build(explorer, explorer.models[part.root], plots));
    for (const [model, el] of plots) {
      if (widget.initialize) await widget.initialize({ model });
      await widget.render({ model, el });
    }
  }
  document.body.dataset.ready = "1";
}

main().catch((error) => {
  document.body.dataset.ready = "error";
  const note = document.getElementById("nc-failed");
  note.hidden = false;
  note.textContent = `The explorers could not start: ${error}`;
  throw error;
});
