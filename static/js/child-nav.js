/* A child's tab bar on a phone: scroll the current tab into sight, and fade the edge only while more
 * tabs lie beyond it (the CSS fades the right edge by default; "scrolled" fades the left, "at-end" lifts the right). */
(function () {
  "use strict";
  document.querySelectorAll("[data-child-nav]").forEach(function (nav) {
    var list = nav.querySelector(".nav-scroll");
    if (!list || nav.dataset.ready) return;
    nav.dataset.ready = "1";
    function update() {
      var max = list.scrollWidth - list.clientWidth;
      nav.classList.toggle("scrolled", list.scrollLeft > 1);
      nav.classList.toggle("at-end", list.scrollLeft >= max - 1);
    }
    var current = list.querySelector('[aria-current="page"]');
    if (current) {
      list.scrollLeft = Math.max(0, current.offsetLeft - (list.clientWidth - current.offsetWidth) / 2);
    }
    list.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  });
})();
