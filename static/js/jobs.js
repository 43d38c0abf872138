// The job progress page: poll the job's JSON every second and update the bar, status, links and failures.
// Without scripts the page refreshes itself while the job runs and offers a reload link.
(() => {
  const root = document.getElementById("job-progress");
  if (!root) return;
  const bar = document.getElementById("job-bar");
  const fill = bar.querySelector(".progress-bar");
  const status = document.getElementById("job-status");
  const statusClasses = {
    queued: "text-bg-secondary", running: "text-bg-primary", done: "text-bg-success",
    failed: "text-bg-danger", cancelled: "text-bg-warning",
  };

  // Widths are set from script: the content security policy forbids inline style attributes.
  const showPercent = (percent) => {
    fill.classList.remove("w-25", "w-50", "w-75", "w-100");
    fill.style.width = `${percent}%`;
    fill.textContent = `${percent}%`;
    bar.setAttribute("aria-valuenow", percent);
    document.getElementById("job-percent").textContent = `${percent}%`;
  };

  const showFailures = (failures, count) => {
    const list = document.getElementById("job-failures");
    list.replaceChildren(...failures.map((failure) => {
      const line = document.createElement("li");
      const item = document.createElement("span");
      line.className = "list-group-item px-0";
      item.className = "fw-semibold";
      item.textContent = failure.item;
      line.append(item, `: ${failure.reason}`);
      return line;
    }));
    document.getElementById("job-failure-count").textContent = count;
    document.getElementById("job-failures-box").classList.toggle("d-none", count === 0);
  };

  const show = (job) => {
    showPercent(job.percent);
    status.textContent = job.status_label;
    status.className = `badge ${statusClasses[job.status] || "text-bg-secondary"}`;
    document.getElementById("job-count").textContent = root.dataset.countText
      .replace("{done}", job.done).replace("{total}", job.total);
    const waiting = document.getElementById("job-waiting");
    waiting.querySelector("span").textContent = job.waiting || "";
    waiting.classList.toggle("d-none", !job.waiting);
    const download = document.getElementById("job-download");
    download.classList.toggle("d-none", !job.download_url);
    if (job.download_url) {
      download.querySelector("a").href = job.download_url;
      document.getElementById("job-size").textContent = `(${job.size_label})`;
    }
    const error = document.getElementById("job-error");
    error.textContent = job.error || "";
    error.classList.toggle("d-none", !job.error);
    showFailures(job.failures, job.failure_count);
    if (job.finished) {
      fill.classList.remove("progress-bar-striped", "progress-bar-animated");
      const cancel = document.getElementById("job-cancel");
      if (cancel) cancel.classList.add("d-none");
      const retry = document.getElementById("job-retry");
      retry.classList.toggle("d-none", !["failed", "cancelled"].includes(job.status));
    }
  };

  const poll = async () => {
    try {
      const response = await fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const job = await response.json();
        show(job);
        if (job.finished) return;
      }
    } catch (error) {
      // The network dropped for a moment: try again on the next tick.
    }
    window.setTimeout(poll, 1000);
  };

  showPercent(Number(root.dataset.percent));
  if (root.dataset.finished !== "true") window.setTimeout(poll, 1000);
})();
