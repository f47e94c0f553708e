// Resumable upload of a video with tus-js-client; progress shown; on success, go to the video.
(function () {
  "use strict";
  const form = document.getElementById("video-upload");
  if (!form) return;
  const fileInput = document.getElementById("video-file");
  const bar = document.getElementById("upload-progress");
  const barText = document.getElementById("upload-progress-text");
  const errorBox = document.getElementById("upload-error");
  const startButton = document.getElementById("upload-start");
  const pauseButton = document.getElementById("upload-pause");
  let upload = null;
  let videoUrl = null;

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function errorMessage(err) {
    const res = err && err.originalResponse;
    if (res && res.getBody()) return res.getBody();
    return "The upload failed: " + (err && err.message ? err.message.split("\n")[0] : err);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    const file = fileInput.files[0];
    const title = form.elements.title.value.trim();
    if (!file) return showError("Choose a video file.");
    if (!title) return showError("Give the video a title.");
    if (file.size > Number(form.dataset.maxBytes)) return showError("The file is too large.");
    if (upload) { upload.start(); pauseButton.hidden = false; startButton.hidden = true; return; }
    const metadata = {
      filename: file.name,
      filetype: file.type || "application/octet-stream",
      title: title,
      description: form.elements.description.value,
      tags: form.elements.tags.value,
    };
    if (form.elements.space) metadata.space = form.elements.space.value;
    if (form.dataset.answer) metadata.answer = form.dataset.answer;
    upload = new tus.Upload(file, {
      endpoint: form.dataset.endpoint,
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: metadata,
      headers: { "X-CSRFToken": form.dataset.csrf },
      removeFingerprintOnSuccess: true,
      onAfterResponse: function (req, res) {
        const url = res.getHeader("X-Video-Url");
        if (url) videoUrl = url;
      },
      onError: function (err) {
        showError(errorMessage(err));
        pauseButton.hidden = true;
        startButton.hidden = false;
        startButton.textContent = "Resume";
      },
      onProgress: function (sent, total) {
        const pct = total ? (sent / total) * 100 : 0;
        bar.value = pct;
        barText.textContent = pct.toFixed(1) + "% uploaded";
      },
      onSuccess: function () {
        barText.textContent = "Uploaded. Processing starts now…";
        if (videoUrl) window.location.assign(videoUrl);
      },
    });
    form.querySelector(".upload-progress").hidden = false;
    startButton.hidden = true;
    pauseButton.hidden = false;
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  });

  pauseButton.addEventListener("click", function () {
    if (!upload) return;
    upload.abort();
    pauseButton.hidden = true;
    startButton.hidden = false;
    startButton.textContent = "Resume";
    barText.textContent += " (paused)";
  });
})();
