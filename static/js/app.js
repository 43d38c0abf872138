// Small progressive enhancements; every page works without them.
document.documentElement.classList.add("js");
document.querySelectorAll(".js-autosubmit").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});

// Field duty (DL) asks for the assignment letter: show that field only when DL is chosen.
document.querySelectorAll(".js-work-mode").forEach((select) => {
  const letter = select.form.querySelector(".js-dl-only");
  const sync = () => letter && letter.classList.toggle("is-hidden", select.value !== "DL");
  select.addEventListener("change", sync);
  sync();
});

// A monthly activity's unit follows the IKI chosen: fill it in and lock it while an IKI is chosen.
document.querySelectorAll(".js-indicator").forEach((select) => {
  const unit = select.form.querySelector(".js-indicator-unit");
  const sync = () => {
    const chosen = select.selectedOptions[0]?.dataset.unit;
    if (!unit) return;
    if (chosen) unit.value = chosen;
    unit.readOnly = Boolean(chosen);
  };
  select.addEventListener("change", sync);
  sync();
});

// Enter saves from any field of the quick-add row; Shift+Enter still breaks a line in the description.
document.querySelectorAll("form textarea").forEach((area) => {
  area.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      area.form.requestSubmit();
    }
  });
});

// Ask before destructive buttons.
document.querySelectorAll("form.js-confirm").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});

// Bulk approval preview: tick every flagged item carrying one flag, after the appraiser has read them.
document.querySelectorAll(".js-tick-flag").forEach((button) => {
  button.addEventListener("click", () => {
    document.querySelectorAll("input[data-flags]").forEach((box) => {
      if (box.dataset.flags.split(" ").includes(button.dataset.flag)) box.checked = true;
    });
  });
});
