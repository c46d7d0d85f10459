/* Page behaviour that used to be inline (onclick=, hx-on::...): the Content-Security-Policy runs only
   our own script files, never inline handlers (htmx runs hx-on through eval). Markup opts in with data
   attributes:
   - data-print: a button that prints the page;
   - data-remove-on-request="<selector>": before its htmx request, remove the elements the selector
     matches (a section being closed drops its rows at once);
   - data-failed-state: the element (or its ancestor) gets the class is-failed when one of its htmx
     requests fails, and loses it (and aria-busy) when it tries again. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) {
      event.preventDefault();
      window.print();
    }
  });

  function failedStateHolder(event) {
    return event.target && event.target.closest ? event.target.closest("[data-failed-state]") : null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var selector = event.target.getAttribute && event.target.getAttribute("data-remove-on-request");
    if (selector) {
      document.querySelectorAll(selector).forEach(function (element) {
        element.remove();
      });
    }
    var holder = failedStateHolder(event);
    if (holder) {
      holder.classList.remove("is-failed");
    }
  });

  function markFailed(event) {
    var holder = failedStateHolder(event);
    if (holder) {
      holder.classList.add("is-failed");
      holder.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("htmx:responseError", markFailed);
  document.addEventListener("htmx:sendError", markFailed);
})();
