"""Metric names used by a PromQL expression, and Grafana's variables made concrete.

promtool tells whether an expression parses, but not which metrics it reads. The
expressions here are already known to parse (promtool checks them first), so a
small tokenizer suffices: an identifier is a metric name unless it is a keyword,
is called like a function, or stands in a label matcher (``{...}``), a range or
subquery (``[...]``) or a grouping list (``by (...)``, ``on (...)``, ...).
"""

from __future__ import annotations

import re

# Words that are part of the language, not series.
_KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring"}
    | {"group_left", "group_right", "inf", "nan"}
)
# After these, a parenthesised list holds label names.
_GROUPING = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})

_TOKEN = re.compile(
    r"""
    (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
  | (?P<comment>\#[^\n]*)
  | (?P<number>\d[\w.]*)              # numbers and durations: 0.99, 5m, 1h30m, 1e3
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE,
)

# Stand-ins for Grafana's interval variables, so that a panel's query is plain PromQL.
GRAFANA_INTERVALS = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def grafana_to_promql(expr: str) -> str:
    """``expr`` with Grafana's interval variables replaced by fixed durations.

    Template variables such as ``$country`` only appear inside label-matcher
    strings here, where they are already valid PromQL.
    """
    for variable, duration in GRAFANA_INTERVALS.items():
        expr = expr.replace(variable, duration)
    return expr


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects."""
    tokens = [
        (kind, text)
        for match in _TOKEN.finditer(expr)
        for kind, text in match.groupdict().items()
        if text is not None and kind not in {"space", "comment"}
    ]
    names: set[str] = set()
    # What each open bracket holds: "expr" (PromQL), or "labels"/"range" (not series).
    stack: list[str] = []
    grouping_next = False
    for i, (kind, text) in enumerate(tokens):
        inside = stack[-1] if stack else "expr"
        if kind == "open":
            if text == "(":
                stack.append("labels" if grouping_next or inside == "labels" else "expr")
            else:
                stack.append("labels" if text == "{" else "range")
            grouping_next = False
        elif kind == "close":
            stack.pop()
        elif kind == "ident" and inside == "expr":
            word = text.lower()
            following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
            if word in _KEYWORDS:
                grouping_next = word in _GROUPING
            # Called, or an aggregation with its grouping first: ``sum by (le) (...)``.
            elif following != "(" and following.lower() not in {"by", "without"}:
                names.add(text)
    return names


def label_values_metric(query: str) -> str | None:
    """The metric of Grafana's ``label_values(metric, label)``; None for ``label_values(label)``."""
    match = re.fullmatch(r"\s*label_values\(\s*(?:(?P<metric>[^,]+?)\s*,\s*)?\w+\s*\)\s*", query)
    if match is None:
        raise ValueError(f"not a label_values() query: {query!r}")
    return match["metric"]
