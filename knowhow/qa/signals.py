"""Signals for receivers the Q&A app must not know about (search indexing, cache busting)."""

from django.dispatch import Signal

# Sent after commit with post_id whenever a question or answer is created, edited, voted on,
# accepted, deleted or undeleted.
post_changed = Signal()
