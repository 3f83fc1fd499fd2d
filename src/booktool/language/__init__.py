"""The book's language: booktool's words in it (the message catalogues), its locale's dates,
numbers and lists (CLDR, through Babel), and its direction."""
