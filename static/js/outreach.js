// Small behaviours without inline script (the CSP forbids it).
document.addEventListener("submit", function (event) {
  // The question sits on the form, or on the button that submitted it (one form, several actions).
  var form = event.target;
  var button = event.submitter;
  var question = (button && button.getAttribute("data-confirm")) || (form.getAttribute && form.getAttribute("data-confirm"));
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Search pickers (organisations, people): search as you type, click a result to choose it.
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

// A new account starts in the browser's time zone rather than UTC (the person can still change it).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-browser-zone]").forEach(function (form) {
    var select = document.getElementById(form.getAttribute("data-browser-zone"));
    var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (select && zone && select.value === "UTC" && select.querySelector('option[value="' + zone + '"]')) {
      select.value = zone;
    }
  });
});

// "Copy link" beside a one-time link shown on screen (an invitation, a password reset).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-copy]");
  if (!button || !navigator.clipboard) {
    return;
  }
  navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
    button.textContent = button.getAttribute("data-copied");
  });
});
