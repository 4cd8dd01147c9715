// Import preview: with rejected rows, the import button waits for the explicit "skip them" choice.
(function () {
  var skip = document.querySelector("[data-import-skip]");
  var button = document.querySelector("[data-import-needs-skip]");
  if (!skip || !button) { return; }
  function sync() { button.disabled = !skip.checked; }
  skip.addEventListener("change", sync);
  sync();
})();

// The contact list's bulk actions: "select all on this page", the ticked count, and only the chosen action's field.
(function () {
function setupBulk() {
  var form = document.getElementById("bulk-form");
  if (!form || form.dataset.ready) { return; }
  form.dataset.ready = "1";
  var all = form.querySelector("[data-select-all]");
  var boxes = function () { return form.querySelectorAll('input[type="checkbox"][name="ids"]'); };
  var counter = form.querySelector("[data-selected-count]");
  function sync() {
    var ticked = Array.prototype.filter.call(boxes(), function (b) { return b.checked; }).length;
    if (counter) { counter.textContent = ticked ? "(" + ticked + ")" : ""; }
    if (all) { all.checked = ticked > 0 && ticked === boxes().length; all.indeterminate = ticked > 0 && ticked < boxes().length; }
    if (ticked) { form.querySelector("#scope-selected").checked = true; }
  }
  if (all) {
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      sync();
    });
  }
  form.addEventListener("change", function (event) { if (event.target.name === "ids") { sync(); } });
  var action = form.querySelector("[data-bulk-action]");
  function showFields() {
    form.querySelectorAll("[data-bulk-for]").forEach(function (el) {
      el.hidden = el.dataset.bulkFor.split(" ").indexOf(action.value) < 0;
    });
  }
  if (action) { action.addEventListener("change", showFields); showFields(); }
  sync();
}
setupBulk();
document.body.addEventListener("htmx:afterSettle", setupBulk);  // the rows (and this form) come back after a search
})();
