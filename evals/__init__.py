"""Gold questions, metrics, the evaluation runner behind ``newsdesk eval``, its reports,
regression checks against committed baselines, and importers from other tools' formats.

Not here: metrics that need an LLM judge (faithfulness, answer relevance as RAGAS or
DeepEval compute them); citation support is judged by string containment only.
"""
