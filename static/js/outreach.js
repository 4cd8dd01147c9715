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
