// Autosave for forms marked `data-autosave` (self-assessment answers, assessor scores).
//
// Every change is sent as JSON with a client-made save id and the version it was based on. Until the server
// acknowledges it, the change is kept in localStorage, so a closed tab, a lost connection or a reload loses
// nothing: on the next visit (or when the browser is back online) the same save is sent again with the
// same id, which the server accepts once. One save per form is in flight at a time, so a form never
// conflicts with itself; a change made in another tab comes back as 409 and is shown, not overwritten.
(function () {
  "use strict";
  var csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  var T = {
    saving: document.documentElement.lang === "en" ? "Saving…" : "Menyimpan…",
    saved: document.documentElement.lang === "en" ? "Saved" : "Tersimpan",
    retry: document.documentElement.lang === "en" ? "Not saved yet — retrying…" : "Belum tersimpan — mencoba lagi…",
    conflict: document.documentElement.lang === "en"
      ? "Changed elsewhere — reload the page to see the latest version."
      : "Diubah di tempat lain — muat ulang halaman untuk melihat versi terbaru.",
  };

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function values(form) {
    var data = {};
    form.querySelectorAll("[name]").forEach(function (el) {
      if (el.type === "radio") { if (el.checked) data[el.name] = typed(el.value); else if (!(el.name in data)) data[el.name] = null; }
      else data[el.name] = el.value;
    });
    return data;
  }

  // A choice (a score or a level) goes as a JSON integer, never the string "4": the server coerces nothing.
  function typed(value) { return /^-?[0-9]+$/.test(value) ? Number(value) : value; }

  // A save kept in localStorage by an older page sent its choices as strings: send them as integers now.
  function retyped(form, entry) {
    form.querySelectorAll('input[type="radio"]').forEach(function (el) {
      if (typeof entry[el.name] === "string") entry[el.name] = typed(entry[el.name]);
    });
    return entry;
  }

  function restore(form, entry) {
    Object.keys(entry).forEach(function (name) {
      form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
        if (el.type === "radio") el.checked = String(entry[name]) === el.value;
        else if (entry[name] !== null && entry[name] !== undefined) el.value = entry[name];
      });
    });
  }

  function state(form, text) { var s = form.querySelector(".save-state"); if (s) s.textContent = text; }
  function load(key) { try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; } }

  function send(form, entry, attempt) {
    form._inflight = true;
    state(form, T.saving);
    fetch(form.dataset.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(entry),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return [response, body]; });
    }).then(function (pair) {
      var response = pair[0], body = pair[1];
      if (response.status >= 500) throw new Error(String(response.status));
      var stored = load(form.dataset.key);
      if (stored && stored.save_id === entry.save_id) localStorage.removeItem(form.dataset.key);
      form._inflight = false;
      if (response.ok) {
        form.dataset.version = body.version;
        state(form, T.saved);
        form.dispatchEvent(new CustomEvent("autosave:saved", { bubbles: true, detail: body }));
      } else if (response.status === 409) {
        form.dataset.version = body.version;
        form._dirty = false;
        state(form, T.conflict);
        return;
      } else {
        form._dirty = false;
        state(form, body.reason || Object.values(body.fields || {}).join(" ") || String(response.status));
        return;
      }
      if (form._dirty) flush(form);
    }).catch(function () {
      state(form, T.retry);
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt || 0));
      setTimeout(function () { send(form, entry, (attempt || 0) + 1); }, delay);
    });
  }

  function flush(form) {
    if (form._inflight) return;  // sent after the current save is acknowledged
    form._dirty = false;
    var entry = values(form);
    // A text field fires "change" again when it loses focus: send nothing when nothing differs from the
    // last save (or from the page as loaded), so no empty new version is made.
    var snapshot = JSON.stringify(entry);
    if (snapshot === form._sent) return;
    form._sent = snapshot;
    entry.save_id = uuid4();
    entry.base_version = Number(form.dataset.version || 0);
    localStorage.setItem(form.dataset.key, JSON.stringify(entry));
    send(form, entry, 0);
  }

  function schedule(form) {
    form._dirty = true;
    clearTimeout(form._timer);
    form._timer = setTimeout(function () { flush(form); }, 600);
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var pending = load(form.dataset.key);
    if (pending) restore(form, pending);
    form._sent = JSON.stringify(values(form));
    if (pending) send(form, retyped(form, pending), 0);
    form.addEventListener("input", function () { schedule(form); });
    form.addEventListener("change", function () { schedule(form); });
    form.addEventListener("submit", function (event) { event.preventDefault(); flush(form); });
  });
  // A change made just before the tab closes still waits for its pause: keep it in localStorage now (and try
  // to send it); the next visit sends it if this send does not get through.
  window.addEventListener("pagehide", function () {
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      if (form._dirty && !form._inflight) { clearTimeout(form._timer); flush(form); }
    });
  });
  window.addEventListener("online", function () {
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      var pending = load(form.dataset.key);
      if (pending && !form._inflight) send(form, retyped(form, pending), 0);
    });
  });
})();
