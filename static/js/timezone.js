// Tell Encore the person's time zone, so that back-office pages show times in it (marketplace/timezones.py).
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone || document.cookie.indexOf("encore_tz=" + encodeURIComponent(zone)) !== -1) {
    return;
  }
  document.cookie = "encore_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
})();
