"""AI in the Open: the library behind the live deck, the exercises and the dashboard.

Every computation lives here; notebooks only import, call and show.
"""

__version__ = "0.1.0"
