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
