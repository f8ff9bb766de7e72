/* The intake station's camera scan: read the label's QR code from the camera (the browser's
   BarcodeDetector when it has one, else the vendored jsQR), put the code in the form and send it.
   Typing the code always works; this only saves the typing. */
(function () {
  "use strict";
  var button = document.getElementById("scan-start");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var input = document.getElementById("id_code");
  if (!button || !video || !input || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    if (button) { button.hidden = true; }
    return;
  }
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var detector = null;
  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
  }
  var stream = null;
  var done = false;

  function found(text) {
    if (done) { return; }
    done = true;
    input.value = text;
    status.textContent = status.dataset.found + " " + text;
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit();
  }

  function scan() {
    if (done) { return; }
    if (video.readyState >= 2 && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      if (detector) {
        detector.detect(canvas).then(function (codes) {
          if (codes.length) { found(codes[0].rawValue); } else { requestAnimationFrame(scan); }
        }).catch(function () { detector = null; requestAnimationFrame(scan); });
        return;
      }
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) { found(code.data); return; }
    }
    setTimeout(function () { requestAnimationFrame(scan); }, 120);
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = status.dataset.starting;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      video.play();
      status.textContent = status.dataset.scanning;
      requestAnimationFrame(scan);
    }).catch(function (error) {
      button.disabled = false;
      status.textContent = status.dataset.failed + " (" + error.name + ")";
    });
  });
})();
