// Directory: the organisation picker (search as you type, click to choose).
document.addEventListener("click", function (event) {
  var pick = event.target.closest && event.target.closest("[data-pick]");
  if (pick) {
    var id = pick.getAttribute("data-pick");
    document.getElementById(id).value = pick.getAttribute("data-pick-id");
    var chosen = document.getElementById(id + "-chosen");
    chosen.textContent = pick.getAttribute("data-pick-label");
    chosen.classList.remove("text-body-secondary");
    document.getElementById(id + "-results").innerHTML = "";
    document.getElementById(id + "-search").value = "";
    return;
  }
  var clear = event.target.closest && event.target.closest("[data-pick-clear]");
  if (clear) {
    var field = clear.getAttribute("data-pick-clear");
    document.getElementById(field).value = "";
    var label = document.getElementById(field + "-chosen");
    label.textContent = label.getAttribute("data-empty");
    label.classList.add("text-body-secondary");
  }
});

// Import preview: with rejected rows, the import button waits for the explicit "skip them" choice.
(function () {
  var skip = document.querySelector("[data-import-skip]");
  var button = document.querySelector("[data-import-needs-skip]");
  if (!skip || !button) { return; }
  function sync() { button.disabled = !skip.checked; }
  skip.addEventListener("change", sync);
  sync();
})();
