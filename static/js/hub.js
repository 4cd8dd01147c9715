// The practice hub's reach counter: one beacon per page opened, carrying only what was opened.
// No cookie, no identifier: the server adds one to today's count and keeps nothing else.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.querySelector("[data-reach]");
  if (!el || !navigator.sendBeacon) { return; }
  var data = new FormData();
  data.append("subject", el.getAttribute("data-reach"));
  data.append("id", el.getAttribute("data-reach-id"));
  navigator.sendBeacon(el.getAttribute("data-reach-url"), data);
});
