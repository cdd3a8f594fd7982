"""Signals that let lower layers announce changes without importing the layers that react to them."""

from django.dispatch import Signal

# Sent after a write that changes a cycle's scoring inputs (scores, answers, inclusion decisions, tracks).
# Arguments: ``cycle`` (Cycle) and ``region_ids`` (a collection of Region ids, or None for all).
# The results app recomputes the live results of those regions in the sender's transaction.
inputs_changed = Signal()
