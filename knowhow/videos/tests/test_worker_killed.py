"""A real worker process killed in the middle of a transcode; a second run completes the job.

Runs the worker as separate processes against their own SQLite file (the test database of the
suite lives in memory, which other processes cannot see)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowhow.videos.tests.conftest import make_clip

ROOT = Path(__file__).resolve().parents[3]


def _env(tmp: Path) -> dict[str, str]:
    env = {**os.environ}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        KNOWHOW_VAR_DIR=str(tmp / "var"),
        MEDIA_ROOT=str(tmp / "media"),
        VIDEO_UPLOAD_DIR=str(tmp / "uploads"),
        TEST_REAL_QUEUE="1",
        VIDEO_LEASE_SECONDS="2",
        VIDEO_SPEECH_RECOGNIZER="",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def _manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _job(db: Path) -> dict[str, object]:
    with sqlite3.connect(db, timeout=10) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("select * from videos_transcodejob order by id limit 1").fetchone()
        return dict(row) if row else {}


def _video(db: Path) -> dict[str, object]:
    with sqlite3.connect(db, timeout=10) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("select * from videos_video order by id limit 1").fetchone())


def test_a_worker_killed_mid_transcode_leaves_the_job_to_a_second_run(tmp_path):
    env = _env(tmp_path)
    db = tmp_path / "db.sqlite3"
    clip = make_clip(tmp_path / "talk.mp4", size="854x480", seconds=6)
    _manage(env, "migrate", "-v0")
    _manage(
        env,
        "shell",
        "-c",
        "from pathlib import Path;"
        "from knowhow.accounts.models import User;"
        "from knowhow.spaces.selectors import default_space;"
        "from knowhow.videos.services import video_create_from_file;"
        "u = User.objects.create_user('maker', password='x');"
        f"video_create_from_file(user=u, space=default_space(), title='Killed mid-way', path=Path('{clip}'))",
    )
    assert _job(db)["state"] == "queued"

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = _job(db)
            if job["state"] == "running" and job["step"] not in ("", "probe"):
                break
            assert job["state"] != "succeeded", "the transcode finished before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail(f"the worker never started transcoding: {_job(db)}")
    finally:
        # The whole process group, as when a machine or container dies: worker and its ffmpeg.
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    job = _job(db)
    assert job["state"] == "running" and job["attempts"] == 1
    video = _video(db)
    assert video["status"] == "processing"
    assert (tmp_path / "media" / video["original"]).exists(), "the original is never lost"

    # Once the dead worker's lease has run out, the maintenance run (every minute from the
    # scheduler; here by hand) queues the job again, and the next worker completes it.
    time.sleep(2.5)
    assert "Queued again: transcode jobs 1" in _manage(env, "videos_requeue_stale")
    _manage(env, "worker", "--burst", "--no-scheduler", timeout=300)
    job = _job(db)
    assert job["state"] == "succeeded", job
    assert job["attempts"] == 2
    video = _video(db)
    assert video["status"] == "ready" and video["is_playable"]
    assert (tmp_path / "media" / video["hls_master"]).exists()
