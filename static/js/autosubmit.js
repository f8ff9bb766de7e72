// A <select data-autosubmit> submits its form when changed (market, language, organisation, filters):
// the behaviour the inline onchange="this.form.submit()" handlers had, allowed by the CSP (no inline script).
document.addEventListener("change", function (event) {
  var field = event.target.closest ? event.target.closest("[data-autosubmit]") : null;
  if (field && field.form) {
    field.form.submit();
  }
});
