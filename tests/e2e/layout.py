"""What the browser tests check of a page's layout: one definition of "wider than the viewport"."""

# What overflows: the page's own width, and every element whose box ends past the viewport's right edge
# (or starts left of 0), except those inside a hidden or clipped ancestor, text for screen readers only (.sr-only,
# clipped to nothing) and, when a selector is given, what is inside a container that scrolls sideways by design
# (the builder's row of section tabs; the container itself must fit).
OVERFLOW = """(scrolls) => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.position === 'fixed' || el.closest('.sr-only')) continue;
    if (scrolls && el.parentElement && el.parentElement.closest(scrolls)) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflow === 'hidden' && p.getBoundingClientRect().right <= width + 0.5) { clipped = true; break; }
      }
      if (!clipped) wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
        ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 12)};
}"""
