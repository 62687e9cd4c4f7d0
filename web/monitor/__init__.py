"""Pages: process instances, one instance with its diagram, incidents, process heatmaps."""
