"""Figures of Bordelon et al., *Theory of Scaling Laws for In-Context Regression: Depth, Width, Context and Time*."""
