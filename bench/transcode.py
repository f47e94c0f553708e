"""Transcode a generated clip (default 5 minutes, 1080p, testsrc + sine) twice:

1. through the real worker (`knowhow worker --burst` on the database queue, its own SQLite file
   and media folder), from the queued job to the job's end;
2. by running the very same ffmpeg command lines (`FfmpegTranscoder.plan`) one after the other.

The worker's overhead is (1) / (2) - 1; it must stay under 15%. Time-to-first-playable is the
time from the job's start to the moment the lowest rendition is published.

`--phase` splits the work so that each timed part can run alone on a quiet machine:
`prepare` (generate the clip: run it under cpu-share), `worker`, `direct` (each under
cpu-exclusive), then `report` (reads the two results from the work folder). `all` (the default)
does everything in one go.
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--workdir", default=str(ROOT / "var" / "bench-transcode"))
    parser.add_argument(
        "--phase", choices=["all", "prepare", "worker", "direct", "report"], default="all"
    )
    args = parser.parse_args()
    phases = ["prepare", "worker", "direct", "report"] if args.phase == "all" else [args.phase]

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "KNOWHOW_VAR_DIR": str(work / "var"),
        "MEDIA_ROOT": str(work / "media"),
        "VIDEO_UPLOAD_DIR": str(work / "uploads"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VIDEO_MAX_DURATION_SECONDS": str(max(1200, args.seconds + 1)),
        # Transcoding alone: no automatic captions after it.
        "VIDEO_SPEECH_RECOGNIZER": "",
    }
    os.environ.update(env)
    import django

    django.setup()
    from knowhow.videos.backends.ffmpeg import ffmpeg_binary

    clip = work / f"clip-{args.size}-{args.seconds}s.mp4"
    results = work / f"results-{args.size}-{args.seconds}s.json"
    if "prepare" in phases and not clip.exists():
        print(f"Generating {clip.name} …", flush=True)
        subprocess.run(
            [ffmpeg_binary(), "-v", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc=size={args.size}:rate=30",
             "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
             "-t", str(args.seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-shortest", str(clip)],
            check=True,
        )  # fmt: skip

    if "worker" in phases:
        _save(results, worker=_through_worker(clip=clip, work=work, env=env))
    if "direct" in phases:
        _save(results, direct=_directly(clip=clip, work=work))
    if "report" in phases:
        sys.exit(_report(json.loads(results.read_text()), args=args, clip=clip))


def _save(path: Path, **parts: dict) -> None:  # type: ignore[type-arg]
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(parts)
    path.write_text(json.dumps(data, indent=2))


def _through_worker(*, clip: Path, work: Path, env: dict) -> dict:  # type: ignore[type-arg]
    for name in ["db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"]:
        (work / name).unlink(missing_ok=True)
    shutil.rmtree(work / "media", ignore_errors=True)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "shell", "-c",
         "from pathlib import Path;from knowhow.accounts.models import User;"
         "from knowhow.spaces.selectors import default_space;"
         "from knowhow.videos.services import video_create_from_file;"
         "u = User.objects.create_user('bench', password='x');"
         f"video_create_from_file(user=u, space=default_space(), title='Benchmark clip', path=Path('{clip}'))"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    print("Transcoding through the worker …", flush=True)
    started = time.monotonic()
    subprocess.run(
        [*manage, "worker", "--burst"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    worker_process_wall = time.monotonic() - started
    with sqlite3.connect(work / "db.sqlite3") as conn:
        job = conn.execute(
            "select state, started_at, finished_at, ffmpeg_seconds, error from videos_transcodejob"
        ).fetchone()
        video = conn.execute("select status, published_at, original from videos_video").fetchone()
    state, job_started, job_finished, ffmpeg_seconds_in_worker, error = job
    assert state == "succeeded", error
    t0, t1 = datetime.fromisoformat(job_started), datetime.fromisoformat(job_finished)
    worker_job_wall = (t1 - t0).total_seconds()
    first_playable = (datetime.fromisoformat(video[1]) - t0).total_seconds()
    return {
        "job_wall": worker_job_wall,
        "ffmpeg_seconds": ffmpeg_seconds_in_worker,
        "process_wall": worker_process_wall,
        "first_playable": first_playable,
    }


def _directly(*, clip: Path, work: Path) -> dict:  # type: ignore[type-arg]
    from knowhow.videos.backends.ffmpeg import FfmpegTranscoder

    transcoder = FfmpegTranscoder()
    probe = transcoder.probe(clip)
    out = work / "direct"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    stages = transcoder.plan(source=clip, probe=probe, out_dir=out)
    print("Running the same ffmpeg commands directly …", flush=True)
    direct_started = time.monotonic()
    first_stage_done = None
    for stage in stages:
        subprocess.run(stage.argv, check=True, stdout=subprocess.DEVNULL)
        if first_stage_done is None:
            first_stage_done = time.monotonic() - direct_started
    direct_wall = time.monotonic() - direct_started
    return {"wall": direct_wall, "first_stage": first_stage_done}


def _report(data: dict, *, args: argparse.Namespace, clip: Path) -> int:  # type: ignore[type-arg]
    from knowhow.videos.backends.ffmpeg import FfmpegTranscoder

    transcoder = FfmpegTranscoder()
    probe = transcoder.probe(clip)
    w, d = data["worker"], data["direct"]
    worker_job_wall, ffmpeg_seconds_in_worker = w["job_wall"], w["ffmpeg_seconds"]
    worker_process_wall, first_playable = w["process_wall"], w["first_playable"]
    direct_wall, first_stage_done = d["wall"], d["first_stage"]
    overhead = worker_job_wall / direct_wall - 1
    print()
    print(f"clip: {args.size}, {args.seconds} s, 30 fps, testsrc + sine; ladder: "
          f"{', '.join(f'{s.height}p' for s in transcoder.ladder_for(probe))}; preset "
          f"{os.environ.get('VIDEO_X264_PRESET', 'veryfast')}")  # fmt: skip
    print(f"worker job wall time (claim to done):   {worker_job_wall:8.1f} s")
    print(f"  of which inside ffmpeg:               {ffmpeg_seconds_in_worker:8.1f} s")
    print(f"worker process wall (start to exit):    {worker_process_wall:8.1f} s")
    print(f"same ffmpeg commands run directly:      {direct_wall:8.1f} s")
    print(f"worker overhead:                        {overhead * 100:8.1f} %  (limit 15 %)")
    own = worker_job_wall - ffmpeg_seconds_in_worker
    print(f"worker's own time outside ffmpeg:       {own:8.1f} s = {own / ffmpeg_seconds_in_worker * 100:.2f} % "
          "(immune to load changes between the two runs)")  # fmt: skip
    print(f"time to first playable (worker):        {first_playable:8.1f} s")
    print(f"time to first playable (direct, 360p):  {first_stage_done:8.1f} s")
    return 0 if overhead < 0.15 else 1


if __name__ == "__main__":
    main()
