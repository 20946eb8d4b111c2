"""SymPy derivations of paper 3 (deep linear attention); used by ``derivations/deep/*.py`` and tests only."""
