// Small progressive enhancements: theme toggle, confirmations, copy buttons.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-theme-toggle]");
  if (toggle) {
    var next = document.documentElement.getAttribute("data-theme") === "dark" ? "light" : "dark";
    document.documentElement.setAttribute("data-theme", next);
    try { localStorage.setItem("knowhow-theme", next); } catch (e) {}
  }
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
}, true);
// A swapped-in comments block would otherwise drop keyboard focus on <body>: after a comment
// is added, put it back on "Add a comment" (refusals go to the message area and swap nothing).
document.addEventListener("htmx:afterSettle", function (event) {
  var block = event.target;
  if (!block || !block.classList || !block.classList.contains("comments") || !block.isConnected) { return; }
  var summary = block.querySelector(".comment-add summary");
  if (summary) { summary.focus(); }
});
document.addEventListener("htmx:responseError", function (event) {
  var flash = document.getElementById("flash");
  if (flash && event.detail.xhr && event.detail.xhr.status >= 500) {
    flash.innerHTML = '<p class="message error">Something went wrong; please try again.</p>';
  }
});
// htmx does not swap 4xx responses by default. A refusal comes back as a message fragment
// with HX-Retarget: #flash (see ApplicationErrorMiddleware), so let it through.
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (xhr && xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// A code block or table wider than the screen scrolls sideways: make it reachable by keyboard
// so that people who cannot use a mouse can scroll it too.
function knowhowFocusableScrollers(root) {
  root.querySelectorAll(".prose pre, .prose table").forEach(function (el) {
    if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
      if (!el.hasAttribute("aria-label")) { el.setAttribute("aria-label", el.tagName === "PRE" ? "Code (scrolls sideways)" : "Table (scrolls sideways)"); }
      if (el.tagName === "PRE") { el.setAttribute("role", "region"); }
    }
  });
}
document.addEventListener("DOMContentLoaded", function () { knowhowFocusableScrollers(document); });
document.addEventListener("htmx:afterSettle", function (event) { knowhowFocusableScrollers(event.target); });
