"""Gold questions, metrics and the evaluation runner behind ``newsdesk eval``.

Not here (yet): importers from other tools' gold formats, bootstrap intervals, JUnit
reports and baseline regression checks.
"""
