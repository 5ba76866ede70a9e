/* A flowchart prints on one page. The theme draws it into a closed shadow root, so its
   proportions are measured from outside: at a narrow width the drawing fills its box, whose
   height over width is then handed to the print style (gongshi.css) as --gs-aspect. */
(function () {
  "use strict";
  var PROBE = 200;
  function measure(host) {
    if (host.style.getPropertyValue("--gs-aspect")) return;
    var width = host.style.width;
    host.style.width = PROBE + "px";
    var height = host.getBoundingClientRect().height;
    host.style.width = width;
    if (height > 0) host.style.setProperty("--gs-aspect", String(height / PROBE));
  }
  function measureAll() {
    Array.prototype.forEach.call(document.querySelectorAll("div.mermaid"), measure);
  }
  new MutationObserver(measureAll).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("beforeprint", measureAll);
})();
