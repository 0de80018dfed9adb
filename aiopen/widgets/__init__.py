"""Live views, one module per topic: each view is a class built on :class:`aiopen.widgets.common.View`
whose figures come from the domain layer (never from ``aiopen.teaching`` or ``aiopen.serving``).
``docs/architecture.md`` describes the pattern and follows a slider move through it."""
