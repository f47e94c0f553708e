"""Signals for receivers the curation app must not know about (the feed's follows and
notifications, search indexing). All are sent after commit."""

from django.dispatch import Signal

# Sent with collection_id and curator_id when a collection or learning path is created.
collection_created = Signal()

# Sent with item_id and by_id (who added it) when an item is added to a collection.
collection_item_added = Signal()

# Sent with resource_id whenever what search shows of a resource changes: it was added, edited,
# its preview fetched, deleted, hidden or restored.
resource_changed = Signal()
