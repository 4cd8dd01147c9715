/* Campaigns: tick every row of the directory list; print the report. No inline script (CSP). */
document.addEventListener("change", function (event) {
  var all = event.target.closest && event.target.closest("[data-pick-all]");
  if (!all) { return; }
  var name = all.getAttribute("data-pick-all");
  document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
    box.checked = all.checked;
  });
});
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
});
