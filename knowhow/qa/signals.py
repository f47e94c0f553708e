"""Signals for receivers the Q&A app must not know about (search indexing, cache busting)."""

from django.dispatch import Signal

# Sent after commit with post_id whenever a question or answer is created, edited, voted on,
# accepted, deleted or undeleted; `created` is True when the post was just asked or answered.
post_changed = Signal()

# Sent after commit with comment_id when a comment is added (notifications listen).
comment_added = Signal()

# Sent (synchronously) with `answers` (a list of Post) and `viewer` before a question page renders,
# so that other apps can attach what they show with an answer (e.g. its videos) in one query.
answers_displayed = Signal()

# Sent (synchronously) with `tag`, `viewer` and `panels` (a list) before a tag page renders:
# other apps append {"template": ..., **context} to show their content about the tag (its videos).
tag_displayed = Signal()
