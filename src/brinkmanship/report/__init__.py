"""`brink report`: one self-contained HTML file with outcome probabilities, an escalation
fan chart, counterfactual comparisons, a sensitivity tornado and the assumptions behind them.

Modules: ``plan`` checks the inputs, ``escalation``, ``tornado`` and ``collect`` gather the
numbers, ``charts`` draws them (matplotlib, inline SVG), ``page`` assembles the HTML.
"""
