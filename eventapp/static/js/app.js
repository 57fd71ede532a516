// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  // A double-clicked submit sends the form once (the server also de-duplicates by submission id).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        if (button.dataset.busyLabel) { button.textContent = button.dataset.busyLabel; }
        button.setAttribute("aria-disabled", "true");
        button.classList.add("is-busy");
      });
    });
  });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
// Forms that ask before doing something that cannot be undone easily.
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });
});
