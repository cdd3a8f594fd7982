/* Kota Cerdas citizen survey: answers stay in the browser until the server acknowledges them.
 *
 * - A draft (answers, submission id, start time) is saved in localStorage at every click, so a reload or
 *   a crashed tab loses nothing.
 * - On submit the body goes into an outbox (localStorage) before the first try; it leaves the outbox only
 *   when the server answers 201 (stored) or 200 (already stored), or refuses it for good (409, 410, 422).
 * - Network errors, timeouts and 5xx are retried with the same submission id, with exponential backoff,
 *   at once when the browser comes back online, and on the next visit of any survey page.
 * No framework and no build step: this file is served as it is.
 */
(function () {
  "use strict";
  var OUTBOX = "kotacerdas-survey-outbox";
  var form = document.getElementById("survey");
  var statusBox = document.getElementById("status");
  var messagesNode = document.getElementById("survey-messages");
  var text = messagesNode ? JSON.parse(messagesNode.textContent) : {};
  var draftKey = "kotacerdas-survey-draft:" + location.pathname;
  var retryTimer = null;
  var attempt = 0;
  var inFlight = {};

  function read(key, fallback) {
    try { var v = localStorage.getItem(key); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }
  function uuid4() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) { crypto.getRandomValues(b); }
    else { for (var i = 0; i < 16; i++) { b[i] = Math.floor(Math.random() * 256); } }
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function show(message, kind) {
    if (!statusBox) { return; }
    statusBox.hidden = false;
    statusBox.className = "status " + (kind || "");
    statusBox.textContent = message;
  }

  // --- the outbox --------------------------------------------------------------------------------
  function schedule(delay) {
    if (retryTimer) { clearTimeout(retryTimer); }
    retryTimer = setTimeout(flush, delay);
  }
  function backoff() {
    attempt += 1;
    var delay = Math.min(60000, 1000 * Math.pow(2, attempt - 1));
    schedule(delay + Math.floor(Math.random() * 500));
  }
  function settle(id, ownPage) {
    var box = read(OUTBOX, {});
    delete box[id];
    write(OUTBOX, box);
    return ownPage;
  }
  function send(id, entry) {
    if (inFlight[id]) { return; }
    inFlight[id] = true;
    var ownPage = entry.url === location.pathname;
    var controller = window.AbortController ? new AbortController() : null;
    var timeout = setTimeout(function () { if (controller) { controller.abort(); } }, 20000);
    fetch(entry.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(entry.body),
      credentials: "omit",
      cache: "no-store",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      clearTimeout(timeout);
      inFlight[id] = false;
      var status = response.status;
      if (status === 201 || status === 200) {
        settle(id);
        attempt = 0;
        if (ownPage) {
          // 200: these answers were stored before (a retry, or the form sent twice): say so, kindly.
          if (status === 200) { show(text.already, "ok"); }
          else {
            response.json().then(function (reply) {
              show(reply && reply.repeat ? text.repeat : text.done, "ok");
            }, function () { show(text.done, "ok"); });
          }
        }
      } else if (status === 429) {
        var wait = parseInt(response.headers.get("Retry-After") || "60", 10);
        if (ownPage) { show(text.retrying, "wait"); }
        schedule(Math.max(1, wait) * 1000);
      } else if (status === 409 || status === 410 || status === 422 || status === 404) {
        settle(id);
        if (ownPage) {
          show(status === 410 ? text.closed : status === 409 ? text.conflict : text.invalid,
               status === 409 ? "ok" : "bad");
          if (status === 422 && form) { restore(entry.body); form.hidden = false; }
        }
      } else {
        if (ownPage) { show(text.retrying, "wait"); }
        backoff();
      }
    }).catch(function () {
      clearTimeout(timeout);
      inFlight[id] = false;
      if (ownPage) { show(navigator.onLine === false ? text.offline : text.retrying, "wait"); }
      backoff();
    });
  }
  function flush() {
    retryTimer = null;
    var box = read(OUTBOX, {});
    Object.keys(box).forEach(function (id) { send(id, box[id]); });
  }

  // --- the form ----------------------------------------------------------------------------------
  function newDraft() {
    return { id: uuid4(), started_at: new Date().toISOString(), answers: {} };
  }
  function restore(body) {
    var draft = { id: uuid4(), started_at: body.started_at, answers: body.answers };
    write(draftKey, draft);
    fill(draft);
  }
  function fill(draft) {
    Object.keys(draft.answers).forEach(function (number) {
      var input = form.querySelector('input[name="q' + number + '"][value="' + draft.answers[number] + '"]');
      if (input) { input.checked = true; }
    });
  }

  if (form) {
    var draft = read(draftKey, null) || newDraft();
    write(draftKey, draft);
    fill(draft);
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (input.type === "radio" && input.name.charAt(0) === "q") {
        draft.answers[input.name.slice(1)] = parseInt(input.value, 10);
        write(draftKey, draft);
        var fieldset = input.closest("fieldset");
        fieldset.classList.remove("missing");
        var error = document.getElementById(fieldset.id + "-error");
        if (error) { error.hidden = true; }
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var answers = {};
      var firstMissing = null;
      Array.prototype.forEach.call(form.querySelectorAll("fieldset.q"), function (fieldset) {
        var number = fieldset.getAttribute("data-number");
        var checked = fieldset.querySelector("input:checked");
        var error = document.getElementById(fieldset.id + "-error");
        if (checked) {
          answers[number] = parseInt(checked.value, 10);
        } else {
          fieldset.classList.add("missing");
          if (error) { error.hidden = false; }
          if (!firstMissing) { firstMissing = fieldset; }
        }
      });
      if (firstMissing) {
        show(text.missing, "bad");
        firstMissing.scrollIntoView({ block: "center" });
        var radio = firstMissing.querySelector("input");
        if (radio) { radio.focus(); }
        return;
      }
      var consent = document.getElementById("consent").checked;
      var contact = consent ? document.getElementById("contact").value.trim() : "";
      var body = {
        submission_id: draft.id,
        answers: answers,
        started_at: draft.started_at,
        completed_at: new Date().toISOString(),
        consent: consent && contact !== ""
      };
      if (body.consent) { body.contact = contact; }
      var box = read(OUTBOX, {});
      box[draft.id] = { url: location.pathname, body: body };
      write(OUTBOX, box);
      try { localStorage.removeItem(draftKey); } catch (e) { /* private mode: nothing kept anyway */ }
      form.hidden = true;
      window.scrollTo(0, 0);
      show(navigator.onLine === false ? text.offline : text.sending, "wait");
      attempt = 0;
      send(draft.id, box[draft.id]);
    });
  }

  window.addEventListener("online", function () { attempt = 0; flush(); });
  var pending = read(OUTBOX, {});
  if (Object.keys(pending).length) {
    if (pending[Object.keys(pending)[0]].url === location.pathname && form) {
      show(text.pending, "wait");
    }
    flush();
  }
}());
