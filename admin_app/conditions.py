"""A small, safe condition language for chain steps: ``days >= 2``, ``amount >= 500 and not paid``.

Grammar: comparisons (``== != < <= > >=``) between a field name and a literal (number, 'text',
true/false/null, 真/假), combined with ``and`` / ``or`` / ``not`` and parentheses. Parsed into
a tree of tuples and evaluated by hand: never Python's ``eval``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>-?\d+(?:\.\d+)?)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<op>==|!=|<=|>=|<|>|\(|\))
    | (?P<word>[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]*)
    )""", re.VERBOSE)
LITERAL_WORDS = {"true": True, "false": False, "null": None, "真": True, "假": False, "空": None}
COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}


class ConditionError(ValueError):
    """The condition cannot be read; the message says where."""


def tokenize(text: str) -> list[tuple[str, Any]]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ConditionError(f"条件「{text}」第 {pos + 1} 个字符无法识别")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "number":
            tokens.append(("literal", Decimal(value)))
        elif kind == "string":
            tokens.append(("literal", value[1:-1]))
        elif kind == "word" and value.lower() in LITERAL_WORDS:
            tokens.append(("literal", LITERAL_WORDS[value.lower()]))
        elif kind == "word" and value.lower() in ("and", "or", "not"):
            tokens.append(("op", value.lower()))
        elif kind == "word":
            tokens.append(("name", value))
        else:
            tokens.append(("op", value))
        pos = match.end()
    return tokens


class Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise ConditionError(f"条件「{self.text}」不完整")
        self.pos += 1
        return token

    def parse(self) -> tuple[Any, ...]:
        tree = self.disjunction()
        if self.peek() is not None:
            raise ConditionError(f"条件「{self.text}」在「{self.peek()[1]}」处多余")
        return tree

    def disjunction(self) -> tuple[Any, ...]:
        tree = self.conjunction()
        while self.peek() == ("op", "or"):
            self.take()
            tree = ("or", tree, self.conjunction())
        return tree

    def conjunction(self) -> tuple[Any, ...]:
        tree = self.negation()
        while self.peek() == ("op", "and"):
            self.take()
            tree = ("and", tree, self.negation())
        return tree

    def negation(self) -> tuple[Any, ...]:
        if self.peek() == ("op", "not"):
            self.take()
            return ("not", self.negation())
        return self.atom()

    def atom(self) -> tuple[Any, ...]:
        if self.peek() == ("op", "("):
            self.take()
            tree = self.disjunction()
            if self.take() != ("op", ")"):
                raise ConditionError(f"条件「{self.text}」缺少右括号")
            return tree
        kind, name = self.take()
        if kind != "name":
            raise ConditionError(f"条件「{self.text}」应以字段名开头,而不是「{name}」")
        token = self.peek()
        if token is None or token[0] != "op" or token[1] not in COMPARISONS:
            return ("truthy", name)
        op = self.take()[1]
        kind, value = self.take()
        if kind != "literal":
            raise ConditionError(f"条件「{self.text}」中「{op}」后面应是数字、文字或 true/false")
        return ("compare", name, op, value)


def parse(text: str) -> tuple[Any, ...]:
    return Parser(text).parse()


def names(tree: tuple[Any, ...]) -> set[str]:
    """The field names a condition reads."""
    if tree[0] in ("compare", "truthy"):
        return {tree[1]}
    return set().union(*(names(t) for t in tree[1:]))


def _coerce(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def evaluate(tree: tuple[Any, ...], values: dict[str, Any]) -> bool:
    kind = tree[0]
    if kind == "and":
        return evaluate(tree[1], values) and evaluate(tree[2], values)
    if kind == "or":
        return evaluate(tree[1], values) or evaluate(tree[2], values)
    if kind == "not":
        return not evaluate(tree[1], values)
    if kind == "truthy":
        return bool(values.get(tree[1]))
    _, name, op, literal = tree
    left, right = _coerce(values.get(name)), _coerce(literal)
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if left is None or right is None:
        return False
    try:
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
    except TypeError:
        return False


def holds(text: str | None, values: dict[str, Any]) -> bool:
    """Does the condition hold for these field values? An empty condition always holds."""
    return True if not text or not text.strip() else evaluate(parse(text), values)
