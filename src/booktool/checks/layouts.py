"""The layouts rule: every template in the project's layouts/ must compile."""

from __future__ import annotations

from collections.abc import Iterator

import jinja2

from booktool.checks.base import Finding
from booktool.editions.layouts import LayoutOutsideError, Layouts
from booktool.source.manuscript import Manuscript

TEMPLATE_SUFFIXES = {".html", ".xhtml", ".svg", ".xml"}


def template_syntax(manuscript: Manuscript) -> Iterator[Finding]:
    """A Jinja syntax error in a project template, with the template's line."""
    directory = manuscript.project.layouts
    if not directory.is_dir():
        return
    layouts = Layouts(directory)
    for path in sorted(directory.rglob("*")):
        if path.suffix not in TEMPLATE_SUFFIXES or not path.is_file():
            continue
        try:
            layouts.env.get_template(path.relative_to(directory).as_posix())
        except jinja2.TemplateSyntaxError as exc:
            yield Finding(path, exc.lineno, f"template error: {exc.message}", "fix the template")
        except LayoutOutsideError:
            continue  # a link out of layouts/: refused, with its own code, when it is rendered
        except jinja2.TemplateNotFound as exc:
            yield Finding(
                path,
                None,
                f"template '{exc.name}' not found in layouts",
                "restore it or change the name that refers to it",
            )
