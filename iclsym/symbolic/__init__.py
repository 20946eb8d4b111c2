"""Symbolic layer (imports SymPy): used at derivation time and in notebooks only.

The numeric path (:mod:`iclsym.theory`, :mod:`iclsym.simulate`, :mod:`iclsym.sweep`)
never imports this package.
"""
