"""The PDF render: the only package that imports WeasyPrint (pool, worker, join)."""
