"""Transcoding with the ffmpeg binary (Debian's when installed, else the one imageio-ffmpeg ships)
and probing with PyAV, which reads the file through the same libraries without needing ffprobe."""

import math
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
from django.conf import settings

from knowhow.videos.backends import (
    ProbeError,
    ProbeResult,
    ProgressCallback,
    RenditionSpec,
    StageCallback,
    TranscodeOutput,
)

# Nominal short side -> video bitrate (kbit/s).
LADDER_KBPS = {1080: 5000, 720: 2800, 480: 1400, 360: 800}
SPRITE_TILE_WIDTH = 160
SPRITE_MAX_TILES = 100
SPRITE_COLUMNS = 10


def ffmpeg_binary() -> str:
    configured = settings.VIDEOS.get("FFMPEG_BINARY")
    if configured:
        return str(configured)
    system = shutil.which("ffmpeg")
    if system:
        return system
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def _even(value: float) -> int:
    return max(2, int(round(value / 2.0)) * 2)


@dataclass
class Stage:
    name: str
    argv: list[str]
    # Share of the whole job's progress bar, and the media duration the stage walks through.
    weight: float
    duration_seconds: float


class FfmpegTranscoder:
    def probe(self, path: Path) -> ProbeResult:
        """Open the file, check it has a decodable video stream and is whole, read its shape."""
        limits = settings.VIDEOS
        size = path.stat().st_size if path.exists() else 0
        if size == 0:
            raise ProbeError("The file is empty.")
        if size > limits["MAX_UPLOAD_BYTES"]:
            raise ProbeError(
                f"The file is too large (the limit is {_human_bytes(limits['MAX_UPLOAD_BYTES'])})."
            )
        try:
            container = av.open(str(path), metadata_errors="ignore")
        except av.error.InvalidDataError as exc:
            raise ProbeError("This is not a video file we can read (or it is damaged).") from exc
        except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
            raise ProbeError(f"The file could not be read as a video: {exc}") from exc
        with container:
            video_streams = [s for s in container.streams.video if not _is_cover_art(s)]
            if not video_streams:
                raise ProbeError("The file has no video stream (is it an audio file or an image?).")
            stream = video_streams[0]
            codec = stream.codec_context.name if stream.codec_context else ""
            if codec not in limits["ACCEPTED_CODECS"]:
                raise ProbeError(
                    f"The video codec {codec or 'unknown'} is not supported; "
                    "please export as H.264, HEVC, VP9 or AV1."
                )
            audio = container.streams.audio[0] if container.streams.audio else None
            duration = _duration(container, stream)
            if duration is None or duration <= 0:
                raise ProbeError("The video's length cannot be read; the file may be damaged.")
            if duration > limits["MAX_DURATION_SECONDS"]:
                raise ProbeError(
                    f"The video is too long ({_human_duration(duration)}; the limit is "
                    f"{_human_duration(limits['MAX_DURATION_SECONDS'])})."
                )
            width, height = stream.codec_context.width, stream.codec_context.height
            if not width or not height:
                raise ProbeError("The video has no picture size; the file may be damaged.")
            rate = float(stream.average_rate or stream.guessed_rate or 25)
            _check_whole(container, stream, duration)
            return ProbeResult(
                duration_seconds=duration,
                width=int(width),
                height=int(height),
                frame_rate=rate if 1 <= rate <= 120 else 25.0,
                video_codec=codec,
                has_audio=audio is not None,
                audio_codec=audio.codec_context.name if audio is not None else "",
            )

    def ladder_for(self, probe: ProbeResult) -> list[RenditionSpec]:
        """Renditions from 360p up to the source's size, never above it, lowest first."""
        short, long = sorted((probe.width, probe.height))
        portrait = probe.height > probe.width
        heights = [h for h in sorted(LADDER_KBPS) if h <= short] or [short]
        specs = []
        for h in heights:
            out_short = _even(min(h, short))
            out_long = _even(long * out_short / short)
            w, ph = (out_short, out_long) if portrait else (out_long, out_short)
            kbps = LADDER_KBPS.get(h, LADDER_KBPS[360])
            specs.append(RenditionSpec(height=h, width=w, pixel_height=ph, video_kbps=kbps))
        return specs

    def plan(self, *, source: Path, probe: ProbeResult, out_dir: Path) -> list[Stage]:
        """The ffmpeg command lines of a whole transcode, in order (the benchmark reruns them)."""
        opts = settings.VIDEOS
        ladder = self.ladder_for(probe)
        ff = ffmpeg_binary()
        gop = max(2, int(round(probe.frame_rate * 2)))
        seg = str(opts["SEGMENT_SECONDS"])
        common_in = [ff, "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
        progress = ["-progress", "pipe:1", "-nostats"]

        def video_opts(index: str, spec: RenditionSpec) -> list[str]:
            return [
                f"-c:v{index}", "libx264", f"-preset{index}", opts["X264_PRESET"],
                f"-profile:v{index}", "main", f"-pix_fmt{index}", "yuv420p",
                f"-b:v{index}", f"{spec.video_kbps}k",
                f"-maxrate{index}", f"{int(spec.video_kbps * 1.07)}k",
                f"-bufsize{index}", f"{spec.video_kbps * 2}k",
            ]  # fmt: skip

        gop_opts = ["-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0"]
        audio_opts = ["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000"]
        hls_opts = ["-f", "hls", "-hls_time", seg, "-hls_playlist_type", "vod"]
        hls_opts += ["-hls_flags", "independent_segments"]

        stages: list[Stage] = []
        lowest, rest = ladder[0], ladder[1:]
        (out_dir / f"r{lowest.height}").mkdir(parents=True, exist_ok=True)
        argv = [*common_in, "-i", str(source), *progress, "-map", "0:v:0"]
        if probe.has_audio:
            argv += ["-map", "0:a:0", *audio_opts]
        argv += ["-vf", f"scale={lowest.width}:{lowest.pixel_height}", *video_opts("", lowest)]
        argv += [*gop_opts, *hls_opts]
        argv += ["-hls_segment_filename", str(out_dir / f"r{lowest.height}" / "seg_%04d.ts")]
        argv += [str(out_dir / f"r{lowest.height}" / "index.m3u8")]
        weight_low = 1.0 if not rest else 0.2
        stages.append(Stage(f"r{lowest.height}", argv, weight_low, probe.duration_seconds))

        if rest:
            for spec in rest:
                (out_dir / f"r{spec.height}").mkdir(parents=True, exist_ok=True)
            split = f"[0:v:0]split={len(rest)}" + "".join(f"[s{i}]" for i in range(len(rest)))
            scales = [
                f"[s{i}]scale={spec.width}:{spec.pixel_height}[o{i}]" for i, spec in enumerate(rest)
            ]
            argv = [*common_in, "-i", str(source), *progress]
            argv += ["-filter_complex", ";".join([split, *scales])]
            stream_map = []
            for i, spec in enumerate(rest):
                argv += ["-map", f"[o{i}]", *video_opts(f":{i}", spec)]
                if probe.has_audio:
                    argv += ["-map", "0:a:0"]
                    stream_map.append(f"v:{i},a:{i},name:{spec.height}")
                else:
                    stream_map.append(f"v:{i},name:{spec.height}")
            if probe.has_audio:
                argv += audio_opts
            argv += [*gop_opts, *hls_opts, "-var_stream_map", " ".join(stream_map)]
            argv += ["-hls_segment_filename", str(out_dir / "r%v" / "seg_%04d.ts")]
            argv += [str(out_dir / "r%v" / "index.m3u8")]
            stages.append(Stage("ladder", argv, 0.7, probe.duration_seconds))

        top = ladder[-1]
        argv = [*common_in, "-i", str(out_dir / f"r{top.height}" / "index.m3u8"), *progress]
        argv += ["-c", "copy", "-movflags", "+faststart", str(out_dir / "download.mp4")]
        stages.append(Stage("download", argv, 0.04, probe.duration_seconds))

        poster_at = min(1.0, probe.duration_seconds / 3)
        argv = [*common_in, "-ss", f"{poster_at:.3f}", "-i", str(source), "-frames:v", "1"]
        argv += ["-vf", f"scale={top.width}:{top.pixel_height}:out_range=full,format=yuvj420p"]
        argv += ["-q:v", "3"]
        argv += ["-update", "1", str(out_dir / "poster.jpg")]
        stages.append(Stage("poster", argv, 0.01, 0.0))

        interval, tiles, tile_w, tile_h = self._sprite_geometry(probe, lowest)
        rows = math.ceil(tiles / SPRITE_COLUMNS)
        cols = min(SPRITE_COLUMNS, tiles)
        argv = [*common_in, "-skip_frame", "nokey"]
        argv += ["-i", str(out_dir / f"r{lowest.height}" / "index.m3u8"), *progress]
        # Only keyframes are decoded (every 2 s, see gop); pick one per interval.
        pick = f"select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,{interval - 0.1:.2f})'"
        argv += ["-vf", f"{pick},scale={tile_w}:{tile_h}:out_range=full,format=yuvj420p,"
                 f"tile={cols}x{rows}", "-fps_mode", "vfr"]  # fmt: skip
        argv += ["-frames:v", "1", "-q:v", "5", "-update", "1", str(out_dir / "sprite.jpg")]
        stages.append(Stage("sprite", argv, 0.05, probe.duration_seconds))
        return stages

    def _sprite_geometry(
        self, probe: ProbeResult, lowest: RenditionSpec
    ) -> tuple[float, int, int, int]:
        # A multiple of the 2-second keyframe spacing, so each tile is a keyframe.
        interval = 2.0 * max(1, math.ceil(probe.duration_seconds / SPRITE_MAX_TILES / 2))
        tiles = max(1, min(SPRITE_MAX_TILES, math.ceil(probe.duration_seconds / interval)))
        tile_w = SPRITE_TILE_WIDTH
        tile_h = _even(tile_w * lowest.pixel_height / lowest.width)
        return interval, tiles, tile_w, tile_h

    def transcode(
        self,
        *,
        source: Path,
        probe: ProbeResult,
        out_dir: Path,
        on_progress: ProgressCallback,
        on_stage: StageCallback,
    ) -> TranscodeOutput:
        ladder = self.ladder_for(probe)
        stages = self.plan(source=source, probe=probe, out_dir=out_dir)
        output = TranscodeOutput()
        total = sum(stage.weight for stage in stages)
        done = 0.0
        for stage in stages:

            def report(pct: float, stage: Stage = stage, done: float = done) -> None:
                on_progress(stage.name, (done + stage.weight * pct) / total)

            output.ffmpeg_seconds += run_stage(stage, on_progress=report)
            done += stage.weight * 100
            if stage.name == f"r{ladder[0].height}":
                output.renditions = [(ladder[0], f"r{ladder[0].height}/index.m3u8")]
                output.master = "master.m3u8"
                write_master(out_dir / "master.m3u8", output.renditions)
            elif stage.name == "ladder":
                output.renditions = [(s, f"r{s.height}/index.m3u8") for s in ladder]
                write_master(out_dir / "master.m3u8", output.renditions)
            elif stage.name == "download":
                output.download_mp4 = "download.mp4"
            elif stage.name == "poster":
                output.poster = "poster.jpg"
            elif stage.name == "sprite":
                output.sprite = "sprite.jpg"
                output.sprite_vtt = "sprite.vtt"
                self._write_sprite_vtt(out_dir / "sprite.vtt", probe, ladder[0])
            on_stage(stage.name, output)
        return output

    def _write_sprite_vtt(self, path: Path, probe: ProbeResult, lowest: RenditionSpec) -> None:
        interval, tiles, tile_w, tile_h = self._sprite_geometry(probe, lowest)
        lines = ["WEBVTT", ""]
        for i in range(tiles):
            start = i * interval
            end = min(probe.duration_seconds, (i + 1) * interval)
            if start >= probe.duration_seconds:
                break
            x, y = (i % SPRITE_COLUMNS) * tile_w, (i // SPRITE_COLUMNS) * tile_h
            lines += [f"{vtt_time(start)} --> {vtt_time(end)}"]
            lines += [f"sprite.jpg#xywh={x},{y},{tile_w},{tile_h}", ""]
        path.write_text("\n".join(lines))


class TranscodeFailed(Exception):
    pass


def run_stage(stage: Stage, *, on_progress: Callable[[float], None]) -> float:
    """Run one ffmpeg command, reporting 0-100 progress from its -progress output.

    Returns the wall time ffmpeg took. If the callback raises, ffmpeg is killed and the
    exception propagates.
    """
    started = time.monotonic()
    proc = subprocess.Popen(
        stage.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        assert proc.stdout is not None
        last = 0.0
        for line in proc.stdout:
            key, _, value = line.strip().partition("=")
            if key == "out_time_us" and stage.duration_seconds > 0 and value.isdigit():
                pct = min(100.0, int(value) / 1e6 / stage.duration_seconds * 100)
                now = time.monotonic()
                if now - last >= 0.5:
                    last = now
                    on_progress(pct)
        _, stderr = proc.communicate()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    if proc.returncode != 0:
        noise = ("Terminating thread", "Task finished", "Nothing was written")
        lines = [
            ln for ln in (stderr or "").strip().splitlines() if not any(n in ln for n in noise)
        ]
        tail = (lines or (stderr or "").strip().splitlines())[-2:]
        raise TranscodeFailed(f"ffmpeg failed in step {stage.name}: " + " / ".join(tail))
    on_progress(100.0)
    return time.monotonic() - started


def extract_speech_audio(source: Path, wav: Path) -> Path:
    """The first audio track as 16 kHz mono WAV, what speech recognisers read."""
    argv = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    argv += ["-i", str(source), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", "16000"]
    argv += ["-c:a", "pcm_s16le", str(wav)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise TranscodeFailed(f"ffmpeg could not read the sound: {done.stderr.strip()[-300:]}")
    return wav


def write_master(path: Path, renditions: list[tuple[RenditionSpec, str]]) -> None:
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for spec, playlist in sorted(renditions, key=lambda r: -r[0].height):
        bandwidth = (spec.video_kbps + spec.audio_kbps) * 1000
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={int(bandwidth * 1.1)},AVERAGE-BANDWIDTH={bandwidth},"
            f'RESOLUTION={spec.width}x{spec.pixel_height},NAME="{spec.height}p"'
        )
        lines.append(playlist)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(path)


def vtt_time(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _is_cover_art(stream: "av.video.stream.VideoStream") -> bool:
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _duration(
    container: "av.container.InputContainer", stream: "av.video.stream.VideoStream"
) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000
    return None


def _check_whole(
    container: "av.container.InputContainer",
    stream: "av.video.stream.VideoStream",
    duration: float,
) -> None:
    """Decode the first frame and read every packet, so a damaged or cut-off file is refused
    here rather than half-way through a transcode. Demuxing reads but does not decode."""
    try:
        decoded = False
        last_time = 0.0
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            if not decoded:
                for _frame in packet.decode():
                    decoded = True
                    break
            if packet.pts is not None and packet.time_base is not None:
                last_time = max(
                    last_time, float((packet.pts + (packet.duration or 0)) * packet.time_base)
                )
        if not decoded:
            # A long-GOP start can need a few packets; flush the decoder before giving up.
            decoded = any(True for _ in stream.codec_context.decode(None))
    except (av.error.FFmpegError, ValueError) as exc:
        raise ProbeError("The video is damaged and cannot be decoded.") from exc
    if not decoded:
        raise ProbeError("The video is damaged: no picture could be decoded from it.")
    start = (
        float(stream.start_time * stream.time_base)
        if stream.start_time and stream.time_base
        else 0.0
    )
    if last_time - start < duration * 0.9 - 0.5:
        raise ProbeError(
            f"The file is incomplete: it stops at {_human_duration(last_time - start)} of "
            f"{_human_duration(duration)}. Please upload it again."
        )


def _human_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    m, s = divmod(seconds, 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _human_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024  # type: ignore[assignment]
    return f"{n} bytes"
