/* The application's item form (templates/budgets/application_form.html): add an item row
 * without a round trip (clones <template id="item-template">; without JavaScript the button
 * re-renders the page with one more row) and keep a running total of the amounts.
 * No library, no inline script (CSP). The server checks everything again. */
(function () {
  "use strict";
  var form = document.getElementById("items-form");
  if (!form) {
    return;
  }
  var rows = document.getElementById("item-rows");
  var template = document.getElementById("item-template");
  var total = form.querySelector('input[name="items-TOTAL_FORMS"]');
  var shown = document.getElementById("running-total");
  var THAI = "๐๑๒๓๔๕๖๗๘๙";

  function amountOf(text) {
    var clean = String(text || "").replace(/[๐-๙]/g, function (d) {
      return String(THAI.indexOf(d));
    }).replace(/[,\s]/g, "");
    if (!/^\d+(\.\d+)?$/.test(clean)) {
      return 0;
    }
    return Math.round(parseFloat(clean) * 100);
  }

  function refresh() {
    var satang = 0;
    form.querySelectorAll("input[data-item-amount]").forEach(function (input) {
      if (input.closest("template")) {
        return;
      }
      satang += amountOf(input.value);
    });
    var baht = (satang / 100).toLocaleString("en-US", {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2
    });
    shown.textContent = baht;
    var budget = amountOf(form.dataset.budget);
    shown.classList.toggle("text-danger", budget > 0 && satang > budget);
  }

  var add = form.querySelector("[data-add-row]");
  if (add && template && total) {
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var row = rows.lastElementChild;
      var number = row.querySelector("[data-item-number]");
      if (number) {
        number.textContent = String(index + 1);
      }
      var first = row.querySelector("input, select");
      if (first) {
        first.focus();
      }
    });
  }
  form.addEventListener("input", refresh);
  refresh();
})();
