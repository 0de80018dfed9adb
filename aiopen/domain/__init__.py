"""The domain layer: every computation of the kit, as pure functions over sourced data.

No module here imports ipywidgets, a server or anything above it (views in
``aiopen.widgets``, exercises and grading in ``aiopen.teaching``, servers in
``aiopen.serving``); ``tests/test_kit_architecture.py`` holds that rule.
"""
