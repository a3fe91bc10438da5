// Ledgers pages (post duties, safety expenses, 三违): small behaviours without inline script (CSP).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});

// The expense form: a category only for money spent.
function syncCategory(form) {
  const direction = form.querySelector("[name=direction]:checked, select[name=direction]");
  const category = form.querySelector("[data-category-row]");
  if (!direction || !category) return;
  category.hidden = direction.value === "provision";
}
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-expense-form]");
  if (form) syncCategory(form);
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-expense-form]").forEach(syncCategory);
});

// The 三违 form: the fine only when the action taken is a fine.
function syncFine(form) {
  const action = form.querySelector("[name=action]");
  const fine = form.querySelector("[data-fine-row]");
  if (!action || !fine) return;
  fine.hidden = action.value !== "fine";
}
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-violation-form]");
  if (form) syncFine(form);
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-violation-form]").forEach(syncFine);
});
