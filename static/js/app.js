// Small behaviours shared by every page; htmx does the rest. The Content-Security-Policy allows no inline
// handlers, so each is wired here by a data attribute (listeners on the document also cover swapped-in HTML).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  navigator.clipboard.writeText(source.value ?? source.textContent).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

// The menu button on a phone opens and closes the navigation.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-nav-toggle]");
  if (!toggle) return;
  document.body.classList.toggle("nav-open");
  toggle.setAttribute("aria-expanded", document.body.classList.contains("nav-open"));
});

// A flash message's close button.
document.addEventListener("click", (event) => {
  const close = event.target.closest("[data-dismiss]");
  if (close) close.parentElement.remove();
});

// Forms that delete ask first: <form data-confirm="Delete …?">.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

// A one-time secret is selected when focused, ready to copy.
document.addEventListener("focusin", (event) => {
  if (event.target.matches("[data-select-on-focus]")) event.target.select();
});

// The colour picker and its text field follow each other; the text field's input event drives the preview.
document.addEventListener("input", (event) => {
  const input = event.target;
  if (input.matches("[data-color-picker]")) {
    const text = input.nextElementSibling;
    text.value = input.value;
    text.dispatchEvent(new Event("input", { bubbles: true }));
  } else if (input.matches("[data-color-text]") && /^#[0-9a-fA-F]{6}$/.test(input.value)) {
    input.previousElementSibling.value = input.value;
  }
});

// Filter forms leave empty fields out of the URL they push: <form data-drop-empty-params>.
document.addEventListener("htmx:configRequest", (event) => {
  if (!event.target.closest("[data-drop-empty-params]")) return;
  const parameters = event.detail.parameters;
  const entries = parameters.entries ? Array.from(parameters.entries()) : Object.entries(parameters);
  for (const [name, value] of entries) {
    if (value === "") delete parameters[name];
  }
});

// A 422 carries the form again with its errors: swap it in like a success (<form data-swap-422>).
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422 && event.detail.elt.closest("[data-swap-422]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// The global progress bar shows while any htmx request is in flight.
document.addEventListener("htmx:beforeRequest", () => document.body.classList.add("loading"));
document.addEventListener("htmx:afterRequest", () => document.body.classList.remove("loading"));

// A page the member's role may read but not change (<main data-role-lock="why">): every form that would change
// something shows disabled, with the reason. The server refuses such requests anyway; this only says so up front.
function lockForRole(root) {
  const main = document.querySelector("main[data-role-lock]");
  if (!main) return;
  const reason = main.dataset.roleLock;
  const scope = root && main.contains(root) ? root : main;
  const changing = scope.querySelectorAll("form[method=post], form[method=POST], [hx-post], [hx-put], [hx-delete]");
  for (const element of changing) {
    const controls = element.matches("form") ? element.querySelectorAll("button, input[type=submit]") : [element];
    for (const control of controls) {
      control.disabled = true;
      control.setAttribute("aria-disabled", "true");
      control.title = reason;
    }
  }
}
document.addEventListener("DOMContentLoaded", () => lockForRole(null));
document.addEventListener("htmx:load", (event) => lockForRole(event.target));

// Email templates: a placeholder button inserts its text at the cursor of the subject or body field last used
// (the body when neither was), then tells the form it changed, so the preview follows.
let placeholderTarget = null;
document.addEventListener("focusin", (event) => {
  if (event.target.matches("[data-placeholder-target]")) placeholderTarget = event.target;
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-insert-placeholder]");
  if (!button) return;
  const form = button.closest("form");
  const field = placeholderTarget && form.contains(placeholderTarget) ? placeholderTarget
    : form.querySelector("textarea[data-placeholder-target]");
  if (!field || field.disabled) return;
  const text = button.dataset.insertPlaceholder;
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? start;
  field.setRangeText(text, start, end, "end");
  field.focus();
  field.dispatchEvent(new Event("input", { bubbles: true }));
});

// A filter panel that folds on a phone (<form data-filter-panel>): its button opens it and counts the filters in use.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-filters-toggle]");
  if (!toggle) return;
  const form = toggle.closest("[data-filter-panel]");
  form.classList.toggle("filters-open");
  toggle.setAttribute("aria-expanded", form.classList.contains("filters-open"));
});
document.addEventListener("change", (event) => {
  const form = event.target.closest("[data-filter-panel]");
  const count = form && form.querySelector("[data-filter-count]");
  if (!count) return;
  const fields = form.querySelectorAll(".filter-panel select, .filter-panel input:not([type=hidden])");
  count.textContent = Array.from(fields).filter((field) => (field.type === "checkbox" ? field.checked : field.value)).length;
});

// While a filter form's request runs, the results it will replace are marked stale (<form data-stale-target="#results">):
// their count says "Searching…" instead of the previous figure, and the rows dim, until the new results arrive.
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt.closest && event.detail.elt.closest("[data-stale-target]");
  const target = form && document.querySelector(form.dataset.staleTarget);
  if (!target) return;
  target.setAttribute("aria-busy", "true");
  const count = target.querySelector(".result-count");
  if (count) {
    count.dataset.previous = count.innerHTML;
    count.textContent = "Searching…";
  }
});
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt.closest && event.detail.elt.closest("[data-stale-target]");
  const target = form && document.querySelector(form.dataset.staleTarget);
  if (!target) return;
  target.removeAttribute("aria-busy");
  const count = target.querySelector(".result-count[data-previous]");
  if (count && !event.detail.successful) count.innerHTML = count.dataset.previous;  // nothing new came: keep the old
});

// Screen readers hear what an htmx swap brought: the swapped-in status and alert messages ("Saved", "Test email
// sent", a refusal) and elements marked data-announce (a search's count) are read out from #announcer, a live
// region that stays in the page (a live region swapped in with its text already there is often not read).
const ANNOUNCED = "[role=status]:not(.spinner):not(.htmx-indicator), [role=alert], [data-announce]";
let heard = [];
document.addEventListener("htmx:load", (event) => {
  const root = event.target;
  if (root === document.body || !root.querySelectorAll) return;  // a page load is read as a whole anyway
  const found = [...(root.matches(ANNOUNCED) ? [root] : []), ...root.querySelectorAll(ANNOUNCED)];
  const texts = found.map((element) => element.textContent.replace(/\s+/g, " ").trim()).filter(Boolean);
  if (!texts.length) return;
  if (!heard.length) {
    setTimeout(() => {  // one announcement for everything one swap brought, set after emptying the region
      const announcer = document.getElementById("announcer");
      if (announcer) announcer.textContent = heard.join(". ");
      heard = [];
    }, 50);
    const announcer = document.getElementById("announcer");
    if (announcer) announcer.textContent = "";
  }
  heard.push(...texts);
});

// A box that scrolls sideways or down (a wide table on a phone, a long code block) can be reached and scrolled
// with the keyboard: it is made focusable, as a region named after its table or the section it is in.
function reachableScrollBoxes(root) {
  for (const box of (root || document).querySelectorAll(".table-wrap, pre")) {
    const scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
    if (!scrolls || box.hasAttribute("tabindex")) continue;
    const table = box.querySelector("table");
    const heading = box.closest("section, .card, main")?.querySelector("h1, h2, h3");
    const name = table?.getAttribute("aria-label") || table?.querySelector("caption")?.textContent
      || heading?.textContent || "Scrollable content";
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", name.replace(/\s+/g, " ").trim());
  }
}
document.addEventListener("DOMContentLoaded", () => reachableScrollBoxes());
document.addEventListener("htmx:load", (event) => reachableScrollBoxes(event.target));
window.addEventListener("resize", () => reachableScrollBoxes());
