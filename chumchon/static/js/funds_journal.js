/* The journal entry form (templates/funds/entries/entry_form.html): add a row of debits and
 * credits without a round trip (clones <template id="leg-template">; without JavaScript the
 * button re-renders the page with one more row) and show the running totals of the debits and
 * the credits. No library, no inline script (CSP). The server checks everything again. */
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  var rows = document.getElementById("leg-rows");
  var template = document.getElementById("leg-template");
  if (!form || !rows || !template) {
    return;
  }
  var total = form.querySelector('input[name="legs-TOTAL_FORMS"]');
  var debitShown = document.getElementById("total-debit");
  var creditShown = document.getElementById("total-credit");
  var THAI = "๐๑๒๓๔๕๖๗๘๙";

  function satang(text) {
    var clean = String(text || "").replace(/[๐-๙]/g, function (d) {
      return String(THAI.indexOf(d));
    }).replace(/[,\s]/g, "");
    if (!/^\d+(\.\d+)?$/.test(clean)) {
      return 0;
    }
    return Math.round(parseFloat(clean) * 100);
  }

  function shown(value) {
    return (value / 100).toLocaleString("en-US", {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2
    });
  }

  function refresh() {
    var debits = 0;
    var credits = 0;
    rows.querySelectorAll("input").forEach(function (input) {
      if (/-debit$/.test(input.name)) {
        debits += satang(input.value);
      } else if (/-credit$/.test(input.name)) {
        credits += satang(input.value);
      }
    });
    debitShown.textContent = shown(debits);
    creditShown.textContent = shown(credits);
    var unbalanced = debits !== credits;
    debitShown.classList.toggle("text-danger", unbalanced);
    creditShown.classList.toggle("text-danger", unbalanced);
  }

  var add = form.querySelector("[data-add-leg]");
  if (add && total) {
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10) || 0;
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      var first = rows.lastElementChild.querySelector("select, input");
      if (first) {
        first.focus();
      }
    });
  }
  form.addEventListener("input", refresh);
  refresh();
})();
