"""Trained attention networks for in-context regression (JAX + optax; the ``nets`` extra).

The papers check their linear theories against trained networks: full linear attention, softmax
transformers, deep residual attention.  JAX is imported only inside this package.
"""
