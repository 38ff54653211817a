// sk ui: the little script the pages use. Everything works without it; it only adds
// keyboard navigation of search results and the "/" shortcut to the search box.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function resultLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#results li.hit > a.title"));
  }
  function move(step) {
    var links = resultLinks();
    if (links.length === 0) return false;
    var at = links.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
    links.forEach(function (a) { a.parentElement.classList.remove("current"); });
    links[next].parentElement.classList.add("current");
    links[next].focus();
    return true;
  }
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var box = document.getElementById("q");
    if (e.key === "/" && !typing(document.activeElement) && box) {
      e.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (typing(document.activeElement)) {
      // From the search box, the down arrow enters the results.
      if (e.key === "ArrowDown" && document.activeElement === box && move(1)) e.preventDefault();
      return;
    }
    if ((e.key === "j" || e.key === "ArrowDown") && move(1)) e.preventDefault();
    if ((e.key === "k" || e.key === "ArrowUp") && move(-1)) e.preventDefault();
  });
  // A link to one step of a session (#e12) opens that step's folded output.
  function openTarget() {
    var id = location.hash.slice(1);
    if (!id) return;
    var step = document.getElementById(id);
    if (!step) return;
    step.classList.add("target");
    var details = step.querySelector("details");
    if (details) details.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);
})();
