"""The sandbox every layout template renders in.

A project's ``layouts/`` is as untrusted as its manuscript. Templates render in Jinja2's
:class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` (no attribute that starts with ``_``, no
unsafe callable, no mutation of the data) and see only the plain views of
:mod:`booktool.model.views`. On top of Jinja's sandbox, a render is bounded: every loop step,
call, attribute lookup and filter counts against a deadline, and every value a template makes
(operators, joins, calls, filters) and the whole output are bounded in size; numbers that would
make a huge value are refused before it is made.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

#: Wall-clock seconds one template render may take.
RENDER_SECONDS = 30.0
#: Characters a render may write, and the most any one value it makes may hold.
OUTPUT_CHARS = 64 * 1024 * 1024
#: The largest whole number a template may pass to a call or a filter (a width, a count).
LARGEST_ARGUMENT = 1_000_000
#: The most bits a number computed in a template may have.
NUMBER_BITS = 4096
#: Items a sequence made by ``*`` may hold.
SEQUENCE_ITEMS = 1_000_000
#: How many steps run between two looks at the clock.
STEPS_PER_CHECK = 256

_FORMAT_NUMBER = re.compile(r"\d{7,}")


#: What Jinja passes a filter ahead of its value (``pass_context`` and its kin).
_PASSED = (jinja2.runtime.Context, jinja2.Environment, nodes.EvalContext)


class TemplateBudgetError(jinja2.TemplateRuntimeError):
    """A render went over its time or size bound."""


class _Budget(threading.local):
    deadline: float = float("inf")
    steps: int = 0
    written: int = 0


def _too_large(value: object) -> bool:
    if isinstance(value, str | bytes | list | tuple | dict):
        return len(value) > OUTPUT_CHARS
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() > NUMBER_BITS
    return False


def _check_arguments(args: Iterable[object]) -> None:
    for value in args:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST_ARGUMENT:
            raise TemplateBudgetError(f"the number {value} is too large for a layout to pass on")


def _check_format(pattern: object) -> None:
    if isinstance(pattern, str) and _FORMAT_NUMBER.search(pattern):
        raise TemplateBudgetError("a format width or precision is too large")


class LayoutSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with a time bound and size bounds on a render."""

    intercepted_binops = frozenset({"*", "**", "%", "+", "//"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.budget = _Budget()
        # Random text would make the editions differ from build to build.
        self.globals.pop("lipsum", None)
        self.globals["range"] = self.bounded_range
        self.filters = {name: self._bounded_filter(name, f) for name, f in self.filters.items()}

    # --- the time bound --------------------------------------------------------------------
    def step(self) -> None:
        """Count one step of the render; past its deadline, stop it."""
        budget = self.budget
        budget.steps += 1
        if budget.steps % STEPS_PER_CHECK == 0 and time.monotonic() > budget.deadline:
            budget.deadline = float("inf")  # raised once; the error's own handling runs free
            raise TemplateBudgetError(f"the template took longer than {RENDER_SECONDS:g} s")

    def bounded_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """Every ``{% for %}`` loops over this: each item is a step."""
        for item in iterable:
            self.step()
            yield item

    def bounded_range(self, *args: int) -> Iterator[int]:
        _check_arguments(args)
        return self.bounded_iter(range(*args))

    def bounded_value(self, value: Any) -> Any:
        """A value the template made (a ``~`` join): refused when it is too large."""
        self.step()
        if _too_large(value):
            raise TemplateBudgetError("the template made a value larger than a book")
        return value

    def bounded_output(self, value: Any) -> Any:
        """A piece of the template's output, counted against the output bound."""
        budget = self.budget
        budget.written += len(value) if isinstance(value, str) else len(str(value))
        if budget.written > OUTPUT_CHARS:
            raise TemplateBudgetError(f"the template wrote more than {OUTPUT_CHARS // 2**20} MiB")
        return value

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The template's syntax tree, with every loop and every ``~`` join counted."""
        tree = _Counted().visit(super()._parse(source, name, filename))
        assert isinstance(tree, nodes.Template)
        return tree

    # --- every lookup, call, operator and filter -------------------------------------------
    def getattr(self, obj: Any, attribute: str) -> Any:
        self.step()
        return super().getattr(obj, attribute)

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        """Refused at once (Jinja's sandbox returns an undefined that fails when used)."""
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe."
        )

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.step()
        return super().getitem(obj, argument)

    def call(
        __self,
        __context: jinja2.runtime.Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        __self.step()
        _check_arguments([*args, *kwargs.values()])
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in ("format", "format_map"):
                _check_format(owner)
            elif name == "replace" and len(args) >= 2:
                _check_replace(owner, args[0], args[1])
            elif name == "join" and args:
                _check_join(args[0])
        return __self.bounded_value(super().call(__context, __obj, *args, **kwargs))

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        self.step()
        if operator == "%":
            _check_format(left)
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int):
                if right > 0 and right * max(abs(left).bit_length(), 1) > NUMBER_BITS:
                    raise TemplateBudgetError("the template computed a number too large")
            elif isinstance(right, float) and right > NUMBER_BITS:
                raise TemplateBudgetError("the template computed a number too large")
        elif operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(count, int):
                    limit = OUTPUT_CHARS if isinstance(sequence, str) else SEQUENCE_ITEMS
                    if len(sequence) * count > limit:
                        raise TemplateBudgetError("the template made a value larger than a book")
        return self.bounded_value(super().call_binop(context, operator, left, right))

    def _bounded_filter(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            self.step()
            values = [a for a in args if not isinstance(a, _PASSED)]
            _check_arguments([*values[1:], *kwargs.values()])
            if name == "format" and values:
                _check_format(values[0])
            elif name == "replace" and len(values) >= 3:
                _check_replace(values[0], values[1], values[2])
            elif name == "join" and values:
                _check_join(values[0])
            return self.bounded_value(function(*args, **kwargs))

        return bounded

    # --- one render ------------------------------------------------------------------------
    def render(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        """``template`` rendered with ``context`` within the time and size bounds."""
        self.budget.deadline = time.monotonic() + RENDER_SECONDS
        self.budget.steps = self.budget.written = 0
        try:
            return template.render(**context)
        finally:
            self.budget.deadline = float("inf")


def _check_replace(text: object, old: object, new: object) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        count = text.count(old) if old else len(text) + 1
        if len(text) + count * max(len(new) - len(old), 0) > OUTPUT_CHARS:
            raise TemplateBudgetError("the template made a value larger than a book")


def _check_join(items: object) -> None:
    if isinstance(items, list | tuple):
        size = sum(len(item) for item in items if isinstance(item, str))
        if size > OUTPUT_CHARS:
            raise TemplateBudgetError("the template made a value larger than a book")


class _Counted(NodeTransformer):
    """Wraps each loop's iterable in ``bounded_iter``, each ``~`` join in ``bounded_value`` and
    each piece of output in ``bounded_output``: names on the environment, which a template
    cannot rebind. The bounds are then checked in the template's own frame, so an error names
    the layout file and line that went over."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _environment_call("bounded_iter", node.iter)
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [_environment_call("bounded_output", child) for child in node.nodes]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _environment_call("bounded_value", node)


def _environment_call(method: str, argument: nodes.Node) -> nodes.Call:
    expression = cast(nodes.Expr, argument)
    call = nodes.Call(nodes.EnvironmentAttribute(method), [expression], [], None, None)
    call.set_lineno(argument.lineno)
    return call
