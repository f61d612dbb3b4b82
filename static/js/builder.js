// The agent builder's section nav: marks the section in view with aria-current="true" as the page scrolls (and right
// away on a click). "In view" is the section under a line just below the sticky bars, watched by an
// IntersectionObserver whose root is narrowed to that line; sections htmx replaces are observed again.
// No inline script: the CSP allows none.
(() => {
  const nav = document.querySelector("nav.builder-tabs");
  if (!nav || !("IntersectionObserver" in window)) return;
  const links = new Map([...nav.querySelectorAll("a[href^='#']")].map((a) => [a.hash.slice(1), a]));
  const onLine = new Set();
  let current = null;

  const mark = (key) => {
    if (!key || key === current) return;
    current = key;
    for (const [id, link] of links) {
      if (id === key) {
        link.setAttribute("aria-current", "true");
        // On a phone the nav scrolls sideways: keep the marked tab in it (the nav only, never the page).
        nav.scrollLeft = Math.max(0, link.offsetLeft - (nav.clientWidth - link.offsetWidth) / 2);
      } else {
        link.removeAttribute("aria-current");
      }
    }
  };

  const atBottom = () => window.scrollY > 0 &&
    window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
  // The section on the line (none while the line is in a gap between cards: the mark stays); at the very bottom,
  // the last section, which may be too short ever to reach the line.
  const update = () => {
    const keys = [...links.keys()];
    mark(atBottom() ? keys[keys.length - 1] : keys.find((id) => onLine.has(id)));
  };

  let observer;
  const observeAll = () => {
    observer?.disconnect();
    onLine.clear();
    const line = Math.round(nav.getBoundingClientRect().bottom) + 24;
    observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) onLine.add(entry.target.id); else onLine.delete(entry.target.id);
      }
      update();
    }, { rootMargin: `-${line}px 0px -${Math.max(window.innerHeight - line - 1, 0)}px 0px` });
    for (const id of links.keys()) {
      const section = document.getElementById(id);
      if (section) observer.observe(section);
    }
  };

  nav.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    if (link) mark(link.hash.slice(1));
  });
  window.addEventListener("scroll", () => { if (atBottom()) update(); }, { passive: true });
  window.addEventListener("resize", observeAll);
  // A section swapped by htmx is a new element: observe the new ones.
  document.addEventListener("htmx:afterSettle", () => observeAll());
  const start = location.hash.slice(1);
  mark(links.has(start) ? start : links.keys().next().value);
  observeAll();
})();
