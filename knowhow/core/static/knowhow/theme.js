// Applies the saved or preferred colour theme before the page paints (loaded without defer).
(function () {
  var saved = null;
  try { saved = localStorage.getItem("knowhow-theme"); } catch (e) {}
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.setAttribute("data-theme", saved || (dark ? "dark" : "light"));
})();
