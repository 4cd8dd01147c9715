// The meeting form: ticking a person in the typeahead results moves them to the chosen attendees,
// and chosen contacts become options of every commitment's "Made by" picker (a convenience: the server
// checks who made each promise, see outreach/meetings/attendees.py).
(function () {
  // One target attending: they made it. Several: "Choose who made it" until someone is picked.
  function madeByOptions() {
    var chosen = document.querySelectorAll('#attendee-selected input[data-kind="contact"]:checked');
    document.querySelectorAll("select.made-by, .made-by select").forEach(function (select) {
      var current = select.value;
      var placeholder = select.querySelector('option[value=""]');
      if (chosen.length > 1 && !placeholder) {
        placeholder = document.createElement("option");
        placeholder.value = "";
        placeholder.textContent = select.getAttribute("data-placeholder") || "—";
        select.insertBefore(placeholder, select.firstChild);
        current = "";
      } else if (chosen.length === 1 && placeholder) {
        placeholder.remove();
        current = chosen[0].getAttribute("data-id");
      }
      Array.prototype.slice.call(select.options).forEach(function (opt) { if (opt.value) { opt.remove(); } });
      chosen.forEach(function (input) {
        var option = document.createElement("option");
        option.value = input.getAttribute("data-id");
        option.textContent = input.getAttribute("data-label");
        select.appendChild(option);
      });
      select.value = current;
      if (select.value !== current) { select.value = ""; }
    });
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches('input[name="attendees"]')) { return; }
    var selected = document.getElementById("attendee-selected");
    if (!selected) { return; }
    if (input.checked && !selected.contains(input)) {
      var chip = document.createElement("label");
      chip.className = "attendee-chip";
      var item = input.closest("li");
      chip.appendChild(input);
      chip.appendChild(document.createTextNode(" " + input.getAttribute("data-label")));
      selected.appendChild(chip);
      if (item) { item.remove(); }
    }
    madeByOptions();
  });
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector(".made-by select");
    if (select) { madeByOptions(); }
  });
})();
