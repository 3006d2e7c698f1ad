// Contents beside the text (wide screens): mark the entry of the section being read.
// Inlined into index.html (no request). Without it the contents are plain links.
(function () {
  "use strict";
  var toc = document.querySelector("nav.toc");
  if (!toc || !("IntersectionObserver" in window)) return;
  var headings = [], links = new Map();
  toc.querySelectorAll('a[href^="#"]').forEach(function (a) {
    var h = document.getElementById(decodeURIComponent(a.hash.slice(1)));
    if (h) { headings.push(h); links.set(h, a); }
  });
  if (!headings.length) return;
  var current = null, last = headings[headings.length - 1];

  function update() {
    // the last heading above the top quarter of the window; at the very bottom, the last one
    var line = window.innerHeight / 4, active = headings[0];
    headings.forEach(function (h) { if (h.getBoundingClientRect().top <= line) active = h; });
    var root = document.scrollingElement;
    if (root.scrollTop + window.innerHeight >= root.scrollHeight - 2) active = last;
    if (active === current) return;
    if (current) links.get(current).removeAttribute("aria-current");
    current = active;
    var a = links.get(active);
    a.setAttribute("aria-current", "location");
    // a side panel taller than the window scrolls itself: keep the entry in it, never scroll the page
    if (toc.scrollHeight > toc.clientHeight) {
      var top = a.offsetTop - toc.clientHeight / 3;
      toc.scrollTop = Math.max(0, top);
    }
  }

  // a section entering or leaving the top quarter of the window (also after a jump to an anchor),
  // and the end of the page coming into view
  var band = new IntersectionObserver(update, { rootMargin: "0px 0px -75% 0px" });
  headings.forEach(function (h) { band.observe(h.closest("section, footer") || h); });
  var end = document.body.lastElementChild;
  while (end && end.tagName === "SCRIPT") end = end.previousElementSibling;
  if (end) new IntersectionObserver(update, { threshold: [0, 0.25, 0.5, 0.75, 1] }).observe(end);
  update();
})();
