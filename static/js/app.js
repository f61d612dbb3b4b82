// Small behaviours shared by every page; htmx does the rest.
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

// The global progress bar shows while any htmx request is in flight.
document.addEventListener("htmx:beforeRequest", () => document.body.classList.add("loading"));
document.addEventListener("htmx:afterRequest", () => document.body.classList.remove("loading"));
