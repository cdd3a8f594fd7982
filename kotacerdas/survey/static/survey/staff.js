// The survey's staff pages: a public link's field selects itself; its button copies it.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = button.previousElementSibling;
      if (navigator.clipboard && input) {
        navigator.clipboard.writeText(input.value).then(function () { button.textContent = "✓"; });
      }
    });
  });
})();
