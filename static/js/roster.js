// WFO caps: choosing a rule (zone or PPKM level) fills in its percentage; the server does the same when empty.
document.querySelectorAll(".js-cap-reason").forEach((select) => {
  const percent = select.form.querySelector("input[name=percent]");
  if (!percent) return;
  select.addEventListener("change", () => {
    const preset = select.selectedOptions[0] && select.selectedOptions[0].dataset.preset;
    percent.value = preset === undefined ? "" : preset;
    if (preset === undefined) percent.focus();
  });
});
