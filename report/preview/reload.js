// make-report preview: added to each page the preview server sends (never to the files in build/site/).
// Listens to the server's state (Server-Sent Events). A new version of the site replaces the page's
// body with the new one, fetched in the background: no blank page, no stylesheet or figure loaded
// again, the scroll position kept; the page's inline scripts run again on the new body. A changed
// stylesheet or script, a changed <head>, or a page with scripts of its own (live.html) reloads whole.
// A failed render shows its file, line and message over the page, which stays as it was until the
// file is fixed.
(function () {
  "use strict";
  var version = Number(document.currentScript.getAttribute("data-version"));
  var overlay = null;

  function show(problem) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "make-report-preview-problem";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(255,255,255,0.96);color:#111;font:16px/1.5 'DejaVu Sans',sans-serif";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = overlay.appendChild(document.createElement("h2"));
    title.textContent = "The report could not be rendered";
    title.style.cssText = "margin:0 0 1rem;color:#B00020;font-size:1.4rem";
    if (problem.where) {
      var where = overlay.appendChild(document.createElement("p"));
      where.className = "where";
      where.textContent = problem.where;
      where.style.cssText = "margin:0 0 0.5rem;font:bold 1rem monospace";
    }
    var message = overlay.appendChild(document.createElement("pre"));
    message.className = "message";
    message.textContent = problem.message;
    message.style.cssText = "margin:0;white-space:pre-wrap;font:0.95rem/1.4 monospace";
    var note = overlay.appendChild(document.createElement("p"));
    note.textContent = "Save the fixed file: this page updates by itself. The server keeps running.";
    note.style.cssText = "margin:1.5rem 0 0;color:#555";
  }

  var head = document.head.innerHTML;
  var busy = false, pending = null;

  function update(state) {
    if (busy) { pending = state; return; }
    if (state.restyle || document.querySelector("body script[src]:not([data-version])")) {
      location.reload();
      return;
    }
    busy = true;
    fetch(location.href, { cache: "no-store" }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      if (doc.head.innerHTML !== head) { location.reload(); return; }
      var tag = doc.querySelector("script[data-version]");
      version = tag ? Number(tag.getAttribute("data-version")) : state.version;
      var x = window.scrollX, y = window.scrollY;
      document.body.replaceWith(document.adoptNode(doc.body));
      overlay = null;
      document.body.querySelectorAll("script:not([src])").forEach(function (inert) {
        var script = document.createElement("script");
        script.text = inert.text;
        inert.replaceWith(script);
      });
      window.scrollTo(x, y);
    }).catch(function () {
      location.reload();
    }).finally(function () {
      busy = false;
      var next = pending;
      pending = null;
      if (next && !next.problem && next.version !== version) update(next);
    });
  }

  var events = new EventSource("/__preview__/events");
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.problem) {
      show(state.problem);
    } else if (state.version !== version) {
      update(state);
    } else if (overlay) {
      overlay.remove();
      overlay = null;
    }
  });
})();
