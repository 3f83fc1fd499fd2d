"""``booktool catalogue``: many booklet projects built in one command.

:mod:`.config` reads ``catalogue.yaml`` and finds the projects; :mod:`.book` builds one book and
reports it as plain data; :mod:`.local` runs the books in a process pool on this machine,
:mod:`.cluster` on a Dask cluster (the project's files carried by :mod:`.transport`);
:mod:`.page` writes the catalogue's ``build/index.html``.
"""
