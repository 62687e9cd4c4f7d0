"""The inbox pages: the tasks a person can work on."""
