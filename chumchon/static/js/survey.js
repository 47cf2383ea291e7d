/* The household survey form on a phone (templates/communities/survey_form.html).
 *
 * - Add a member card without a round trip (clones <template id="member-template">); without
 *   JavaScript the "add a member" button saves the draft and the page comes back with a card.
 * - Keeps a copy of the typed answers in localStorage while typing, so that a dropped
 *   connection loses nothing: the copy is put back on reload (with a notice) as long as the
 *   server has not saved the draft since (the form's data-version), and dropped otherwise.
 * - Autosaves the draft every 60 seconds when something changed (POST action=autosave; the
 *   server answers JSON with the new version).
 * No library: plain DOM and fetch (CSP: no inline script, no eval).
 */
(function () {
  "use strict";
  var PREFIX = "chumchon-survey-";
  var MAX_AGE_MS = 24 * 3600 * 1000;
  /* Copies hold incomes and names: drop those older than a day, and the copy of a survey
   * whose page says it is done (the detail page after a submit: #survey-done). */
  try {
    var shelf = window.localStorage;
    var done = document.getElementById("survey-done");
    if (done) {
      shelf.removeItem(PREFIX + done.dataset.survey);
    }
    for (var i = shelf.length - 1; i >= 0; i--) {
      var name = shelf.key(i);
      if (name && name.indexOf(PREFIX) === 0) {
        var kept = null;
        try {
          kept = JSON.parse(shelf.getItem(name));
        } catch (e) {
          kept = null;
        }
        if (!kept || !kept.at || Date.now() - kept.at > MAX_AGE_MS) {
          shelf.removeItem(name);
        }
      }
    }
  } catch (e) {
    /* no storage: nothing kept, nothing to drop */
  }
  var form = document.getElementById("survey-form");
  if (!form || !window.fetch) {
    return;
  }
  var key = PREFIX + form.dataset.survey;
  var version = form.dataset.version;
  var total = form.querySelector('input[name="members-TOTAL_FORMS"]');
  var list = document.getElementById("member-list");
  var template = document.getElementById("member-template");
  var notice = document.getElementById("survey-restored");
  var status = document.getElementById("survey-autosave");
  var dirty = false;
  var saving = false;
  var AUTOSAVE_MS = 60000;

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function addMember() {
    var index = parseInt(total.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    list.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    return list.lastElementChild;
  }

  function entries() {
    var found = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "action" && typeof value === "string") {
        found.push([name, value]);
      }
    });
    return found;
  }

  function keepCopy() {
    var store = storage();
    if (!store) {
      return;
    }
    try {
      store.setItem(key, JSON.stringify({ version: version, at: Date.now(), entries: entries() }));
    } catch (e) {
      /* storage full or refused: the server copy is the only one */
    }
  }

  function dropCopy() {
    var store = storage();
    if (store) {
      store.removeItem(key);
    }
  }

  function restore() {
    var store = storage();
    var raw = store && store.getItem(key);
    if (!raw) {
      return;
    }
    var copy;
    try {
      copy = JSON.parse(raw);
    } catch (e) {
      dropCopy();
      return;
    }
    if (!copy || copy.version !== version) {
      dropCopy(); // the server saved the draft since: its answers are the newer ones
      return;
    }
    if (form.dataset.bound === "1") {
      return; // the page shows what was just sent (with its errors)
    }
    var values = {};
    copy.entries.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    var wanted = parseInt((values["members-TOTAL_FORMS"] || ["0"])[0], 10) || 0;
    while ((parseInt(total.value, 10) || 0) < wanted) {
      addMember();
    }
    var changed = false;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit") {
        return;
      }
      if (/-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(el.name)) {
        return;
      }
      var given = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        var checked = given.indexOf(el.value) !== -1;
        if (el.checked !== checked) {
          el.checked = checked;
          changed = true;
        }
      } else if (given.length && el.value !== given[0]) {
        el.value = given[0];
        changed = true;
      }
    });
    if (changed && notice) {
      notice.hidden = false;
      dirty = true;
    }
  }

  function changedNow() {
    dirty = true;
    keepCopy();
  }

  function say(text) {
    if (status) {
      status.textContent = text || "";
    }
  }

  function autosave() {
    if (!dirty || saving) {
      return;
    }
    if (navigator.onLine === false) {
      say(form.dataset.offline);
      return;
    }
    saving = true;
    dirty = false;
    var data = new FormData(form);
    data.set("action", "autosave");
    // form.action would be the buttons named "action" (named elements shadow properties)
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        if (result.ok && result.body.version) {
          version = result.body.version;
          form.dataset.version = version;
          if (dirty) {
            keepCopy(); // typed during the request: keep it against the new version
          } else {
            dropCopy();
          }
        }
        say(result.body.message);
      })
      .catch(function () {
        dirty = true;
        say(form.dataset.offline);
      })
      .then(function () {
        saving = false;
      });
  }

  var addButton = form.querySelector("[data-add-member]");
  if (addButton && template && list && total) {
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      var card = addMember();
      var first = card.querySelector("input:not([type=hidden]), select");
      if (first) {
        first.focus();
      }
      changedNow();
    });
  }
  var discard = document.querySelector("[data-discard-copy]");
  if (discard) {
    discard.addEventListener("click", function () {
      dropCopy();
      window.location.reload();
    });
  }
  form.addEventListener("input", changedNow);
  form.addEventListener("change", changedNow);
  form.addEventListener("submit", function () {
    keepCopy(); // kept until the server has saved (a new version) in case the request is lost
  });
  restore();
  window.setInterval(autosave, AUTOSAVE_MS);
  window.addEventListener("online", function () {
    say("");
    autosave();
  });
})();
