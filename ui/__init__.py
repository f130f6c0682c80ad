"""The browser UI (Gradio): chat with clickable citations, article view, corpus management
and evaluation, in :mod:`ui.blocks`; pure rendering in :mod:`ui.render`; corpus operations
in :mod:`ui.corpus`; evaluation tables in :mod:`ui.evaluate`.

Nothing is imported or built at import time; ``app.create_app`` and ``app.main`` are the
entry points.
"""
