/* AngelCX widget loader, the URL customers paste:
   <script src="https://…/static/js/widget.js" data-agent="TOKEN" async></script>
   Kept tiny and cached briefly (5 minutes): it adds the widget itself from its content-hashed URL, cached for a
   year, so a new release reaches every site within minutes while browsers and CDNs keep the bundle. The app
   serves this file with the bundle's path filled in; no eval, no inline code (a site's CSP need only allow
   this origin in script-src and connect-src). */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[data-agent][src*="/static/js/widget.js"]');
  if (!script || script.hasAttribute("data-angelcx-loaded")) return;
  script.setAttribute("data-angelcx-loaded", "");
  var bundle = document.createElement("script");
  bundle.src = new URL("__WIDGET_BUNDLE_PATH__", script.src).href;
  bundle.async = true;
  ["data-agent", "data-preview", "data-config", "data-open"].forEach(function (name) {
    if (script.hasAttribute(name)) bundle.setAttribute(name, script.getAttribute(name) || "");
  });
  bundle.setAttribute("data-angelcx-bundle", "");
  (document.head || document.documentElement).appendChild(bundle);
})();
