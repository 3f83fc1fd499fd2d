"""The build cache, the no-op stamp and atomic writes of outputs."""
