"""AI in the Open: the library behind the live deck, the exercises and the dashboard.

Every computation lives here; notebooks only import, call and show. The folders are the
layers, and imports only point down (``tests/test_kit_architecture.py`` holds the rule):

- ``paths``: where the kit's files are and what it pins (a leaf, standard library only);
- ``domain``: the computations, pure functions over sourced data (no widgets, no servers);
- ``widgets``: the live views, built on the domain;
- ``teaching``: the exercises' generator, checks, feedback and grader, built on the domain;
- ``serving``: the Jupyter/RISE launcher, the Voila site, exports and the browser launch.

``docs/architecture.md`` explains the layers and the path of a slider move.
"""

__version__ = "0.1.0"
