"""booktool: a study booklet (print PDF and EPUB 3) from a documentary's summary and segments."""

__version__ = "0.1.0"
