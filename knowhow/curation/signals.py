"""Signals for receivers the curation app must not know about (search indexing)."""

from django.dispatch import Signal

# Sent after commit with resource_id whenever what search shows of a resource changes: it was
# added, edited, its preview fetched, deleted, hidden or restored.
resource_changed = Signal()
