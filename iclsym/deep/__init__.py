"""Deep linear attention (Bordelon, Letey, Pehlevan 2025): L steps of in-context gradient descent.

Paper 3 reuses the letters of papers 1-2 with other meanings (``alpha = P/D``, ``kappa`` queries per
context, ``tau`` contexts per step), so it lives in its own namespace with unambiguous argument
names (docs/symbols.md).
"""
