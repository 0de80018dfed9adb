"""Live widget views, one module per slide topic; each builds on ``common``."""
