// The video player: hls.js (or native HLS, or the MP4), speed, keyboard, resume, scrub previews,
// and batched viewing events for the measures.
(function () {
  "use strict";
  const box = document.querySelector("[data-player]");
  if (!box) return;
  const video = box.querySelector("video");
  const ds = box.dataset;
  let hls = null;

  function useMp4() {
    if (ds.mp4) { video.src = ds.mp4; return true; }
    return false;
  }

  if (window.Hls && window.Hls.isSupported()) {
    hls = new window.Hls({ capLevelToPlayerSize: true });
    hls.on(window.Hls.Events.ERROR, function (_event, data) {
      if (data.fatal && data.type === window.Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
      } else if (data.fatal) {
        hls.destroy();
        hls = null;
        useMp4();
      }
    });
    hls.loadSource(ds.hls);
    hls.attachMedia(video);
    window.knowhowHls = hls;
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = ds.hls;
  } else {
    useMp4();
  }

  // Resume where this person stopped last time.
  const resumeAt = parseFloat(ds.resumeAt || "0");
  if (resumeAt > 0) {
    video.addEventListener("loadedmetadata", function () { video.currentTime = resumeAt; }, { once: true });
  }

  // Playback speed.
  const speed = box.querySelector("[data-speed]");
  if (speed) speed.addEventListener("change", function () { video.playbackRate = parseFloat(speed.value); });
  function nudgeSpeed(step) {
    const options = Array.from(speed.options).map(function (o) { return parseFloat(o.value); });
    let i = options.indexOf(video.playbackRate);
    if (i < 0) i = options.indexOf(1);
    i = Math.min(options.length - 1, Math.max(0, i + step));
    video.playbackRate = options[i];
    speed.value = String(options[i]);
  }

  // Keyboard controls while the player (or the page body) has focus.
  document.addEventListener("keydown", function (e) {
    const target = e.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key;
    if (key === " " || key === "k") { video.paused ? video.play() : video.pause(); }
    else if (key === "ArrowLeft") { video.currentTime = Math.max(0, video.currentTime - 5); }
    else if (key === "ArrowRight") { video.currentTime = video.currentTime + 5; }
    else if (key === "j") { video.currentTime = Math.max(0, video.currentTime - 10); }
    else if (key === "l") { video.currentTime = video.currentTime + 10; }
    else if (key === "m") { video.muted = !video.muted; }
    else if (key === "<") { nudgeSpeed(-1); }
    else if (key === ">") { nudgeSpeed(1); }
    else if (key === "f") { document.fullscreenElement ? document.exitFullscreen() : video.requestFullscreen(); }
    else if (key === "c") {
      const tracks = Array.from(video.textTracks);
      const showing = tracks.find(function (t) { return t.mode === "showing"; });
      tracks.forEach(function (t) { t.mode = "disabled"; });
      if (!showing && tracks.length) tracks[0].mode = "showing";
    } else { return; }
    e.preventDefault();
  });

  // Scrubbing previews from the thumbnail sprite and its WebVTT map.
  const bar = box.querySelector(".scrub-bar");
  const preview = box.querySelector(".scrub-preview");
  let cues = [];
  if (ds.sprite && bar) {
    fetch(ds.sprite, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (text) {
      const base = new URL(ds.sprite, window.location.href);
      const blocks = text.split(/\n\n+/);
      blocks.forEach(function (block) {
        const m = block.match(/([\d:.]+)\s+-->\s+([\d:.]+)\s*\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)/);
        if (!m) return;
        cues.push({ start: toSeconds(m[1]), end: toSeconds(m[2]), url: new URL(m[3], base).href,
          x: +m[4], y: +m[5], w: +m[6], h: +m[7] });
      });
    });
    bar.addEventListener("mousemove", function (e) {
      const rect = bar.getBoundingClientRect();
      const duration = video.duration || parseFloat(ds.duration) || 0;
      const t = Math.max(0, Math.min(1, (e.clientX - rect.left) / rect.width)) * duration;
      const cue = cues.find(function (c) { return t >= c.start && t < c.end; });
      if (!cue) return;
      const thumb = preview.querySelector(".scrub-thumb");
      thumb.style.width = cue.w + "px";
      thumb.style.height = cue.h + "px";
      thumb.style.background = "url(" + cue.url + ") -" + cue.x + "px -" + cue.y + "px";
      preview.querySelector(".scrub-time").textContent = formatTime(t);
      preview.style.left = Math.max(0, e.clientX - rect.left - cue.w / 2) + "px";
      preview.hidden = false;
    });
    bar.addEventListener("mouseleave", function () { preview.hidden = true; });
    bar.addEventListener("click", function (e) {
      const rect = bar.getBoundingClientRect();
      const duration = video.duration || parseFloat(ds.duration) || 0;
      video.currentTime = ((e.clientX - rect.left) / rect.width) * duration;
    });
  }

  function toSeconds(stamp) {
    return stamp.split(":").reduce(function (acc, part) { return acc * 60 + parseFloat(part); }, 0);
  }
  function formatTime(t) {
    const m = Math.floor(t / 60), s = Math.floor(t % 60);
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  // Viewing events: stretches actually played, sent in batches every 10 s and when leaving.
  const session = (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
    : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (Math.random() * 16) >> (c / 4)).toString(16);
    });
  let pending = [];
  let stretchStart = null;
  let last = 0;
  video.addEventListener("playing", function () { stretchStart = video.currentTime; last = video.currentTime; });
  video.addEventListener("timeupdate", function () {
    if (stretchStart === null || video.paused) return;
    const now = video.currentTime;
    if (now < last || now - last > 2) { closeStretch(last); stretchStart = now; }
    last = now;
  });
  function closeStretch(end) {
    if (stretchStart !== null && end > stretchStart) pending.push({ t: stretchStart, u: end });
    stretchStart = video.paused ? null : video.currentTime;
  }
  ["pause", "ended", "seeking"].forEach(function (name) {
    video.addEventListener(name, function () { closeStretch(last); if (name !== "seeking") flush(); });
  });
  function flush(leaving) {
    if (stretchStart !== null && !video.paused) { closeStretch(video.currentTime); }
    if (!pending.length && !leaving && video.paused) return;
    const events = pending.concat([{ p: video.currentTime }]);
    pending = [];
    fetch(ds.events, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": ds.csrf },
      body: JSON.stringify({ session: session, events: events }),
    }).catch(function () {});
  }
  setInterval(function () { if (!video.paused) flush(); }, 10000);
  window.addEventListener("pagehide", function () { flush(true); });
})();
