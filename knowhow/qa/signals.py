"""Signals for receivers the Q&A app must not know about (search indexing, cache busting)."""

from django.dispatch import Signal

# Sent after commit with post_id whenever a question or answer is created, edited, voted on,
# accepted, deleted or undeleted; `created` is True when the post was just asked or answered.
post_changed = Signal()

# Sent after commit with comment_id when a comment is added (notifications listen).
comment_added = Signal()
