"""The task page: a task's context, who holds it, and its form."""
