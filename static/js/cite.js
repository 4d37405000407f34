/* Copy-citation buttons: progressive enhancement. Each element with data-copy keeps its citation
   as selectable text; where the Clipboard API is available, a button beside it copies the
   citation (with the official link). Once copied, "Copied" shows beside the button for a few
   seconds and a live region says so to screen readers; if copying fails, both say how to copy
   by hand. No button without JavaScript. Labels come from the element's data-* attributes
   (translated in the template). */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext && location.hostname !== "127.0.0.1" && location.hostname !== "localhost") {
    return;
  }
  var SHOWN_FOR = 4000; // milliseconds "Copied" stays beside the button
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);
  document.querySelectorAll("[data-copy]").forEach(function (element) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-citation";
    button.textContent = element.getAttribute("data-copy-label") || "Copy citation";
    var done = document.createElement("span");
    done.className = "copy-done";
    done.setAttribute("aria-hidden", "true"); // the live region says it to screen readers
    done.hidden = true;
    var timer = null;
    function show(text, failed) {
      done.textContent = text;
      done.classList.toggle("copy-done--failed", failed);
      done.hidden = false;
      button.classList.toggle("copied", !failed);
      status.textContent = "";
      window.setTimeout(function () { // a new message, even if it is the same as the last one
        status.textContent = failed ? text : element.getAttribute("data-copied-label") || "Citation copied";
      }, 50);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        done.hidden = true;
        button.classList.remove("copied");
      }, SHOWN_FOR);
    }
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(element.getAttribute("data-copy")).then(function () {
        show(element.getAttribute("data-copied-short") || "Copied", false);
      }, function () {
        show(element.getAttribute("data-copy-failed") || "Could not copy: select the citation and copy it.", true);
      });
    });
    element.insertAdjacentElement("afterend", button);
    button.insertAdjacentElement("afterend", done);
  });
})();
