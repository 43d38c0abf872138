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

// Bulk approval preview: the button says how many items it approves (the unflagged ones counted by the server,
// plus the flagged ones ticked), and a flag's button ticks every flagged item carrying it.
document.querySelectorAll(".js-approve-count").forEach((button) => {
  const form = button.form;
  const label = button.querySelector(".js-approve-label");
  const sync = () => {
    const count = Number(button.dataset.clean) + form.querySelectorAll("input[name=flagged_ok]:checked").length;
    label.textContent = button.dataset.template.replace("__N__", String(count));
    button.disabled = count === 0;
  };
  form.addEventListener("change", sync);
  form.querySelectorAll(".js-tick-flag").forEach((tick) => {
    tick.addEventListener("click", () => {
      form.querySelectorAll("input[data-flags]").forEach((box) => {
        if (box.dataset.flags.split(" ").includes(tick.dataset.flag)) box.checked = true;
      });
      sync();
    });
  });
  sync();
});

// Inbox: "select all" ticks every person with waiting items; it follows the rows (mixed shows as indeterminate).
// Without scripts the box is still a real field: the server then takes everyone with waiting items.
document.querySelectorAll(".js-select-all").forEach((all) => {
  const rows = [...all.form.querySelectorAll(".js-select-one:not(:disabled)")];
  all.addEventListener("change", () => {
    rows.forEach((box) => { box.checked = all.checked; });
    all.indeterminate = false;
  });
  const follow = () => {
    const ticked = rows.filter((box) => box.checked).length;
    all.checked = ticked === rows.length && rows.length > 0;
    all.indeterminate = ticked > 0 && ticked < rows.length;
  };
  rows.forEach((box) => box.addEventListener("change", follow));
  follow();
});
