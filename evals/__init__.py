"""Gold questions, metrics and the evaluation runner behind ``newsdesk eval``.

Not here (yet): importers from other tools' gold formats, bootstrap intervals, a
committed baseline report with regression tolerances, a pytest entry per question.
"""
