// Import preview: with rejected rows, the import button waits for the explicit "skip them" choice.
(function () {
  var skip = document.querySelector("[data-import-skip]");
  var button = document.querySelector("[data-import-needs-skip]");
  if (!skip || !button) { return; }
  function sync() { button.disabled = !skip.checked; }
  skip.addEventListener("change", sync);
  sync();
})();
