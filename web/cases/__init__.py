"""The case page: one client's episode of care, its plan, scores, timeline, notes and tasks."""
