"""Live widget views, one module per topic, each built on ``common`` and on the domain
layer (never on ``aiopen.teaching`` or ``aiopen.serving``)."""
