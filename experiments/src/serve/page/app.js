// meshsim serve: the form, the debounced re-runs (an older answer is discarded), A/B, the URL.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const DEBOUNCE_MS = 200;
  const st = {
    scenario: "", seed: "", fields: [], base: new Map(), edits: new Map(), pin: null,
    seq: 0, controller: null, timer: 0, last: null, pairs: [], changedAt: 0,
  };

  // Overrides in field order, as `meshsim run --set` takes them.
  function setList() {
    const out = [];
    for (const f of st.fields) {
      if (!st.edits.has(f.path)) continue;
      // A key of a tagged table the file does not declare needs its `kind` first.
      if (f.requires && !out.includes(f.requires)) {
        const rp = f.requires.slice(0, f.requires.indexOf("="));
        if (!st.edits.has(rp)) out.push(f.requires);
      }
      out.push(f.path + "=" + st.edits.get(f.path));
    }
    for (const [p, v] of st.edits) if (!st.fields.some((f) => f.path === p)) out.push(p + "=" + v);
    return out;
  }
  function parseSet(list) {
    const m = new Map();
    for (const s of list) {
      const i = s.indexOf("=");
      if (i > 0) m.set(s.slice(0, i).trim(), s.slice(i + 1).trim());
    }
    return m;
  }
  function current() {
    const side = { scenario: st.scenario, set: setList() };
    if (st.seed !== "") side.seed = st.seed;
    return side;
  }

  function writeUrl() {
    const q = new URLSearchParams();
    q.set("scenario", st.scenario);
    if (st.seed !== "") q.set("seed", st.seed);
    for (const s of setList()) q.append("set", s);
    if (st.pin) q.set("pin", JSON.stringify(st.pin));
    history.replaceState(null, "", "?" + q.toString());
  }

  async function api(path, body, signal) {
    const opts = body === undefined ? {} : { method: "POST", body: JSON.stringify(body), signal,
      headers: { "Content-Type": "application/json" } };
    const r = await fetch(path, opts);
    let data;
    try { data = await r.json(); } catch (e) { data = { error: "the server answered " + r.status + " with no JSON" }; }
    return { ok: r.ok, status: r.status, data };
  }

  const bounded = (f) => (f.kind === "int" || f.kind === "float") && f.min !== null && f.max !== null && f.max > f.min;
  // A slider's position (0..1000) from a value and back; logarithmic for wide integer ranges.
  function toPos(f, v) {
    const x = Number(v);
    if (!isFinite(x)) return 0;
    if (f.log) return 1000 * Math.log((x - f.min) + 1) / Math.log((f.max - f.min) + 1);
    return 1000 * (x - f.min) / (f.max - f.min);
  }
  function fromPos(f, p) {
    let x = f.log ? f.min + Math.exp(p / 1000 * Math.log((f.max - f.min) + 1)) - 1 : f.min + p / 1000 * (f.max - f.min);
    if (f.kind === "int") return String(Math.round(x));
    const step = (f.max - f.min) / 1000;
    const digits = Math.max(0, -Math.floor(Math.log10(step)));
    return String(Number(x.toFixed(digits)));
  }

  // The input of one field; `el.value`/`checked` is set by setValue, read by getValue.
  function fieldInput(f) {
    let el;
    if (f.kind === "enum") {
      el = document.createElement("select");
      f.choices.forEach((c, i) => {
        const o = document.createElement("option");
        o.value = c; o.textContent = f.labels.length ? f.labels[i] : c; el.appendChild(o);
      });
    } else if (f.kind === "multi") {
      el = document.createElement("span"); el.className = "multi"; el.setAttribute("role", "group");
      for (const c of f.choices) {
        const l = document.createElement("label");
        const b = document.createElement("input"); b.type = "checkbox"; b.value = c;
        l.appendChild(b); l.appendChild(document.createTextNode(c)); el.appendChild(l);
      }
    } else if (f.kind === "bool") {
      el = document.createElement("input"); el.type = "checkbox";
    } else if (f.kind === "toml") {
      el = document.createElement("textarea"); el.rows = f.value.length > 60 ? 3 : 1;
      el.placeholder = f.value === "" ? "(absent) " + f.note : "TOML";
      el.spellcheck = false;
    } else if (f.kind === "int" || f.kind === "float") {
      el = document.createElement("input"); el.type = "number";
      if (f.min !== null) el.min = f.min;
      if (f.max !== null) el.max = f.max;
      el.step = f.kind === "int" ? "1" : "any";
      if (f.value === "") el.placeholder = f.note;
    } else {
      el = document.createElement("input"); el.type = "text";
      if (f.kind === "timeout") el.placeholder = "e.g. 2s, or none";
      else if (f.kind === "duration") el.placeholder = f.value === "" ? f.note : "e.g. 250ms, 2s";
      else if (f.kind === "int_or_none") el.placeholder = "a count, or none";
      else if (f.value === "") el.placeholder = f.note;
    }
    el.dataset.path = f.path;
    el.id = "f-" + f.path;
    return el;
  }
  function getValue(el) {
    if (el.classList.contains("multi")) {
      const on = [...el.querySelectorAll("input")].filter((b) => b.checked).map((b) => JSON.stringify(b.value));
      return "[" + on.join(", ") + "]";
    }
    return el.type === "checkbox" ? String(el.checked) : el.value.trim();
  }
  function setValue(el, v) {
    if (el.classList.contains("multi")) {
      let list = [];
      try { list = JSON.parse(v); } catch (e) { list = []; }
      for (const b of el.querySelectorAll("input")) b.checked = list.includes(b.value);
    } else if (el.type === "checkbox") el.checked = v === "true";
    else el.value = v;
  }

  // Groups are collapsible; a group opens by default when it is a policy, fault or client, or
  // holds an edit.
  function buildForm() {
    const form = $("fields");
    form.textContent = "";
    let fs = null, group = null;
    for (const f of st.fields) {
      if (f.group !== group) {
        group = f.group;
        fs = document.createElement("details");
        fs.className = "group";
        fs.open = !/^service /.test(group) || st.fields.some((g) => g.group === group && st.edits.has(g.path));
        const lg = document.createElement("summary"); lg.textContent = group; fs.appendChild(lg);
        form.appendChild(fs);
      }
      const row = document.createElement("div"); row.className = "field"; row.dataset.path = f.path;
      const lab = document.createElement("label"); lab.textContent = f.label;
      lab.title = f.path + (f.note ? "\n" + f.note : "");
      const el = fieldInput(f);
      lab.htmlFor = el.id;
      const box = document.createElement("span"); box.className = "in"; box.appendChild(el);
      let slider = null;
      if (bounded(f)) {
        slider = document.createElement("input"); slider.type = "range"; slider.className = "slider";
        slider.min = 0; slider.max = 1000; slider.step = 1;
        slider.setAttribute("aria-label", f.label + " (slider)");
        slider.dataset.slider = f.path;
        row.classList.add("has-slider");
        slider.addEventListener("input", () => { el.value = fromPos(f, Number(slider.value)); changed(); });
      }
      if (f.unit) { const u = document.createElement("span"); u.className = "unit"; u.textContent = f.unit; box.appendChild(u); }
      setValue(el, st.edits.has(f.path) ? st.edits.get(f.path) : f.value);
      if (slider) slider.value = toPos(f, el.value);
      row.classList.toggle("edited", st.edits.has(f.path));
      if (f.kind === "toml" || f.kind === "multi") row.classList.add("wide");
      const changed = () => {
        const v = getValue(el);
        // An edit is a value other than the file's (the base form's); a key the file's form
        // does not have (a switched kind's) compares with its shown default.
        const base = st.base.has(f.path) ? st.base.get(f.path) : f.value;
        if (v === base) st.edits.delete(f.path); else st.edits.set(f.path, v);
        row.classList.toggle("edited", st.edits.has(f.path));
        st.changedAt = performance.now();
        if (f.labels.length) {
          // A kind switched: the old kind's keys go, and the form shows the new kind's.
          for (const p of [...st.edits.keys()]) if (p.startsWith(f.path + ".")) st.edits.delete(p);
          refreshForm();
        }
        schedule();
      };
      const whole = el.tagName === "SELECT" || el.type === "checkbox" || el.classList.contains("multi");
      el.addEventListener(whole ? "change" : "input", () => { if (slider) slider.value = toPos(f, el.value); changed(); });
      row.appendChild(lab); row.appendChild(box);
      if (slider) row.appendChild(slider);
      fs.appendChild(row);
    }
  }

  // The form of the edited scenario (its structure: a switched kind's keys), if it loads.
  async function refreshForm() {
    const r = await api("/api/form", { scenario: st.scenario, set: setList() });
    if (r.ok) { st.fields = r.data.fields; buildForm(); }
  }

  async function loadForm(name) {
    const r = await api("/api/form", { scenario: name });
    if (!r.ok) { showProblem(r.data.error); st.fields = []; buildForm(); return false; }
    st.scenario = name;
    st.base = new Map(r.data.fields.map((f) => [f.path, f.value]));
    st.fields = r.data.fields;
    if (st.edits.size) {
      const e = await api("/api/form", { scenario: name, set: setList() });
      if (e.ok) st.fields = e.data.fields;
    }
    $("description").textContent = r.data.description;
    $("seed").placeholder = r.data.seed;
    $("scenario").value = name;
    buildForm();
    return true;
  }

  function showProblem(msg) {
    const p = $("problem");
    p.hidden = !msg;
    p.textContent = msg || "";
  }
  function clearFieldErrors() {
    for (const e of document.querySelectorAll(".field .err")) e.remove();
    for (const e of document.querySelectorAll(".field.invalid")) e.classList.remove("invalid");
  }
  // The CLI's message next to the field it is about: the `--set` argument it names, else its key path.
  function fieldError(d, sent) {
    let path = null;
    if (d.side !== "A" && d.set_index !== null && d.set_index !== undefined && sent.set[d.set_index]) {
      path = sent.set[d.set_index].split("=")[0].trim();
    } else if (d.side !== "A" && d.path) {
      path = d.path;
    }
    const row = path && [...document.querySelectorAll(".field")].find((r) => r.dataset.path === path);
    if (!row) return false;
    row.classList.add("invalid");
    const e = document.createElement("div"); e.className = "err"; e.setAttribute("role", "alert");
    e.textContent = d.error;
    row.appendChild(e);
    const group = row.closest("details");
    if (group) group.open = true;
    row.scrollIntoView({ block: "nearest" });
    return true;
  }

  function schedule() {
    writeUrl();
    clearTimeout(st.timer);
    st.timer = setTimeout(run, DEBOUNCE_MS);
  }

  async function run() {
    const seq = ++st.seq;
    if (st.controller) st.controller.abort();
    const controller = new AbortController();
    st.controller = controller;
    const sent = current();
    const body = Object.assign({}, sent);
    if (st.pin) body.pin = st.pin;
    $("status").textContent = "running…";
    $("status").classList.add("busy");
    document.querySelector("main.results").classList.add("stale");
    const t0 = performance.now();
    let r;
    try {
      r = await api("/api/run", body, controller.signal);
    } catch (e) {
      if (seq === st.seq) { showProblem("the server did not answer: " + e); $("status").textContent = "no answer"; }
      return;
    }
    if (seq !== st.seq) return; // a newer run was asked for: this answer is stale
    const roundTrip = performance.now() - t0;
    // After a refusal the results stay dimmed: they are the last valid run's, not this one's.
    document.querySelector("main.results").classList.toggle("stale", !r.ok);
    $("status").classList.remove("busy");
    clearFieldErrors();
    if (!r.ok) {
      const d = r.data;
      const placed = fieldError(d, sent);
      showProblem((d.side === "A" ? "pinned A: " : "") + d.error +
        "\n(not run; the results below, dimmed, are the last valid run's" + (placed ? "; the field is marked" : "") + ")");
      $("status").textContent = "not run (" + r.status + ")";
      window.meshsimLast = { ok: false, status: r.status, roundTripMs: roundTrip, seq };
      return;
    }
    showProblem("");
    draw(r.data, roundTrip, seq);
  }

  function draw(d, roundTrip, seq) {
    const t1 = performance.now();
    const run = d.run;
    st.last = run;
    $("timeline").innerHTML = run.timeline_svg;
    $("topology").innerHTML = run.topology_svg;
    $("tables").innerHTML = run.tables_html;
    $("anatomy").innerHTML = run.anatomy_html;
    $("facts").textContent = run.facts;
    $("reproduce").textContent = run.reproduce;
    $("warnings").textContent = run.warnings.join("\n");
    const stop = $("stopped");
    stop.hidden = !run.stopped;
    stop.textContent = run.stopped || "";
    $("status").textContent = "ran in " + Math.round(run.run_ms) + " ms · answered in " + Math.round(roundTrip) + " ms · seed " + run.seed;
    const ab = $("ab");
    ab.hidden = !d.ab;
    if (d.ab) {
      $("ab-timeline").innerHTML = d.ab.timeline_svg;
      $("ab-diff").innerHTML = d.ab.diff_html;
      $("ab-a-cmd").textContent = "A: " + d.ab.a_reproduce;
      $("ab-b-cmd").textContent = "B: " + d.ab.b_reproduce;
    }
    $("pin").hidden = false;
    $("unpin").hidden = !st.pin;
    void document.body.offsetHeight; // lay the new charts out before timing
    const drawnAt = performance.now();
    window.meshsimLast = { ok: true, runMs: run.run_ms, roundTripMs: roundTrip, seq, hash: run.hash,
      drawMs: drawnAt - t1, inputToDrawnMs: st.changedAt ? drawnAt - st.changedAt : null };
  }

  function download() {
    if (!st.last) return;
    const blob = new Blob([st.last.toml], { type: "application/toml" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = st.scenario.replace(/\.toml$/, "") + "-edited.toml";
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  async function choose(name, set, seed) {
    st.edits = parseSet(set || []);
    st.seed = seed || "";
    $("seed").value = st.seed;
    if (await loadForm(name)) schedule();
  }

  async function init() {
    const r = await api("/api/scenarios");
    const sel = $("scenario");
    for (const n of r.data.names) { const o = document.createElement("option"); o.value = n; o.textContent = n; sel.appendChild(o); }
    st.pairs = r.data.pairs;
    for (const p of st.pairs) {
      const b = document.createElement("button"); b.type = "button"; b.textContent = p.label;
      b.title = "A: " + p.a.scenario + " " + p.a.set.join(" ") + "  B: " + p.b.scenario + " " + p.b.set.join(" ");
      b.className = "pair";
      b.addEventListener("click", () => { st.pin = { scenario: p.a.scenario, set: p.a.set }; choose(p.b.scenario, p.b.set, ""); });
      $("pairs").appendChild(b);
    }
    const q = new URLSearchParams(location.search);
    if (q.get("pin")) { try { st.pin = JSON.parse(q.get("pin")); } catch (e) { st.pin = null; } }
    const name = q.get("scenario") && r.data.names.includes(q.get("scenario")) ? q.get("scenario") : r.data.first;
    sel.addEventListener("change", () => choose(sel.value, [], st.seed));
    $("seed").addEventListener("input", () => { st.seed = $("seed").value.trim(); schedule(); });
    $("pin").addEventListener("click", () => { st.pin = current(); schedule(); });
    $("unpin").addEventListener("click", () => { st.pin = null; $("ab").hidden = true; schedule(); });
    $("reset").addEventListener("click", () => choose(st.scenario, [], ""));
    $("download").addEventListener("click", download);
    await choose(name, q.getAll("set"), q.get("seed") || "");
  }
  init();
})();
