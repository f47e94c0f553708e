"""Signals for receivers the videos app must not know about (search indexing)."""

from django.dispatch import Signal

# Sent after commit with video_id whenever what search shows of a video changes: it became
# playable or ready, or its captions were added, replaced or removed.
video_changed = Signal()
