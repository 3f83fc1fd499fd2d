"""Reading a project: book.yaml, the manuscript's segments and apparatus, its media."""
