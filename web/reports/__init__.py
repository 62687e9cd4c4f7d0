"""Pages: supervisor reports with charts, and their CSV and JSON exports."""
