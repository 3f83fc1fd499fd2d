"""The editions: the shared HTML base and layouts, the print HTML, EPUB and PDF."""
