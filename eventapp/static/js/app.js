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
  keepAnswersAcrossLanguageSwitch();
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();

// The language switch is a link: the page comes again in the other language, from the server. So that what
// was typed into a form (marked data-keep-answers) is not lost, the answers are put in sessionStorage just
// before the switch and filled back into the same form of the same page when it comes back, then removed at
// once. Never kept: passwords, files and hidden fields (the CSRF token and the submission id come new with
// the page). An entry that is not for this page and language, or older than a few minutes, is dropped.
function keepAnswersAcrossLanguageSwitch() {
  "use strict";
  var KEY = "eventapp.answers-across-language-switch";
  var MAX_AGE_MS = 5 * 60 * 1000;
  var SKIPPED = ["hidden", "password", "file", "submit", "button", "reset", "image"];
  var forms = function () { return document.querySelectorAll("form[data-keep-answers]"); };
  var storage;
  try { storage = window.sessionStorage; } catch (e) { return; }  // storage blocked: the switch just switches

  function answersOf(form) {
    var answers = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || SKIPPED.indexOf(el.type) !== -1) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        answers.push({ name: el.name, value: el.value, checked: el.checked });
      } else if (el.type === "select-multiple") {
        answers.push({ name: el.name, selected: Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; }) });
      } else {
        answers.push({ name: el.name, value: el.value });
      }
    });
    return answers;
  }

  function putBack(form, answers) {
    answers.forEach(function (answer) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== answer.name || el.disabled || SKIPPED.indexOf(el.type) !== -1) { return; }
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.value === answer.value) { el.checked = answer.checked; }
        } else if (el.type === "select-multiple") {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = answer.selected.indexOf(o.value) !== -1; });
        } else if (el.tagName === "SELECT") {
          if (Array.prototype.some.call(el.options, function (o) { return o.value === answer.value; })) { el.value = answer.value; }
        } else {
          el.value = answer.value;
        }
      });
    });
  }

  var raw = null;
  try { raw = storage.getItem(KEY); storage.removeItem(KEY); } catch (e) { raw = null; }
  if (raw) {
    try {
      var kept = JSON.parse(raw);
      if (kept.path === location.pathname && kept.lang === document.documentElement.lang &&
          Date.now() - kept.at < MAX_AGE_MS) {
        var here = forms();
        kept.forms.forEach(function (answers, i) { if (here[i]) { putBack(here[i], answers); } });
      }
    } catch (e) { /* a damaged entry: nothing to put back */ }
  }

  document.querySelectorAll("a.lang-switch").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
      var here = forms();
      if (!here.length) { return; }
      var kept = { path: location.pathname, lang: link.getAttribute("hreflang"), at: Date.now(),
                   forms: Array.prototype.map.call(here, answersOf) };
      try { storage.setItem(KEY, JSON.stringify(kept)); } catch (e) { /* full or blocked: switch anyway */ }
    });
  });
}

// Forms that ask before doing something that cannot be undone easily.
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });
});
