// Placeholder: the console's pages replace this file (docs/console.md).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  fetch("api/me", { credentials: "same-origin" }).then(function (r) {
    document.querySelector("#app p").textContent = r.ok ? "Logged in." : "Not logged in.";
  });
});
