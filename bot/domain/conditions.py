"""Conditions on slot values, as written in flows and routing rules.

The language is a safe subset of Python expressions over slot names:
`kind == 'craft'`, `stage in ['idea', 'planning']`, `has_meister != 'yes' and needs_meister`,
`not consent`. A slot that has no value yet is None.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_ORDER = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
_ALLOWED = (
    ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Compare, ast.Constant, ast.List,
    ast.Tuple, ast.Load, ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Lt, ast.LtE, ast.Gt, ast.GtE,
)


@dataclass(frozen=True)
class Condition:
    """A parsed condition that can be checked against slot values."""

    source: str
    tree: ast.expr
    slot_names: frozenset[str]

    def evaluate(self, slots: Mapping[str, Any]) -> bool:
        """Return whether the condition holds for these slot values."""
        return bool(_evaluate(self.tree, slots))


def parse_condition(source: str) -> Condition:
    """Parse a condition; raise ValueError saying what is not allowed."""
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as error:
        raise ValueError(f"condition {source!r} is not valid: {error.msg}") from error
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif not isinstance(node, _ALLOWED):
            raise ValueError(
                f"condition {source!r} uses {type(node).__name__}, which is not allowed"
            )
    return Condition(source, tree, frozenset(names))


def _evaluate(node: ast.expr, slots: Mapping[str, Any]) -> Any:
    """Evaluate one node of an already checked condition."""
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id=name):
            return slots.get(name)
        case ast.List(elts=items) | ast.Tuple(elts=items):
            return [_evaluate(item, slots) for item in items]
        case ast.UnaryOp(operand=operand):
            return not _evaluate(operand, slots)
        case ast.BoolOp(op=ast.And(), values=values):
            return all(_evaluate(value, slots) for value in values)
        case ast.BoolOp(values=values):
            return any(_evaluate(value, slots) for value in values)
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            current = _evaluate(left, slots)
            for op, comparator in zip(ops, comparators, strict=True):
                other = _evaluate(comparator, slots)
                if not _compare(op, current, other):
                    return False
                current = other
            return True
    raise ValueError(f"cannot evaluate {ast.dump(node)}")


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    """Compare two values; comparisons with a missing value are false."""
    if isinstance(op, ast.Eq):
        return bool(left == right)
    if isinstance(op, ast.NotEq):
        return bool(left != right)
    if isinstance(op, ast.In | ast.NotIn):
        found = right is not None and left in right
        return found if isinstance(op, ast.In) else not found
    if left is None or right is None:
        return False
    try:
        return bool(_ORDER[type(op)](left, right))
    except TypeError:
        return False
