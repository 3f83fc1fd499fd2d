"""The format-free book model and the plain views the layouts see."""
