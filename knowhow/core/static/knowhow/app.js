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
document.addEventListener("htmx:afterSwap", function (event) {
  var input = event.detail.target && event.detail.target.querySelector && event.detail.target.querySelector(".comment-form input[name=body]");
  if (input && !event.detail.target.querySelector(".field-error")) { input.value = ""; }
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
