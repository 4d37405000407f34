/* Copy-citation buttons: progressive enhancement. Each element with data-copy keeps its citation
   as selectable text; where the Clipboard API is available, a button beside it copies the
   citation (with the official link) and says so in a live region. No button without JavaScript. */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext && location.hostname !== "127.0.0.1" && location.hostname !== "localhost") {
    return;
  }
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);
  document.querySelectorAll("[data-copy]").forEach(function (element) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-citation";
    button.textContent = element.getAttribute("data-copy-label") || "Copy citation";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(element.getAttribute("data-copy")).then(function () {
        status.textContent = element.getAttribute("data-copied-label") || "Citation copied";
        button.classList.add("copied");
      }, function () {
        status.textContent = "";
      });
    });
    element.insertAdjacentElement("afterend", button);
  });
})();
