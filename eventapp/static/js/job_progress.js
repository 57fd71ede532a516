// Polls a background job and moves its progress bar; shows the download link when it is done.
(function () {
  "use strict";
  var card = document.getElementById("job");
  if (!card) { return; }
  var bar = document.getElementById("job-progress");
  function show(status) {
    card.querySelectorAll("[data-job-text]").forEach(function (el) { el.hidden = el.dataset.jobText !== status; });
    card.dataset.status = status;
  }
  function poll() {
    fetch(card.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (job) {
        bar.max = job.total; bar.value = job.status === "done" ? job.total : job.done;
        card.querySelector("[data-job-done]").textContent = bar.value;
        show(job.status);
        if (job.message) {
          card.querySelector("[data-job-message]").hidden = false;
          card.querySelector(".job-message").textContent = job.message;
        }
        if ((job.status === "done" || job.status === "failed") && card.hasAttribute("data-reload-when-finished")) {
          window.location.reload();  // the report of what the job found is drawn by the server
          return;
        }
        if (job.status === "done") { card.querySelector("[data-job-download]").hidden = false; return; }
        if (job.status !== "failed") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (card.dataset.status === "queued" || card.dataset.status === "running") { poll(); }
})();
