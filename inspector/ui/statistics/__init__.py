"""The statistics page: its figures, computed on a worker, and its charts."""
