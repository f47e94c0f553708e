// Show the player as soon as the first rendition is published (the status fragment says so).
document.addEventListener("htmx:afterSwap", function () {
  "use strict";
  const status = document.getElementById("video-status");
  if (status && status.dataset.playable === "1" && !document.querySelector("[data-player]")) {
    window.location.reload();
  }
});
