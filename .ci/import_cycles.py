#!/usr/bin/env python3
"""Fails if the modules of core/src import each other in a cycle.

Builds the graph of `crate::<module>` references (in `use` lines and paths) between the
top-level modules of core/src (a directory module counts as one node), ignoring `#[cfg(test)]`
blocks, then looks for a cycle. Usage: python3 .ci/import_cycles.py [core/src]
"""
import os
import re
import sys

args = [a for a in sys.argv[1:] if not a.startswith("-")]
root = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "core", "src")
modules = {}
for name in os.listdir(root):
    path = os.path.join(root, name)
    if name.endswith(".rs") and name not in ("lib.rs",):
        modules[name[:-3]] = [path]
    elif os.path.isdir(path):
        modules[name] = [os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs if f.endswith(".rs")]


def code_without_tests(text):
    """The text up to the first `#[cfg(test)]` (test modules sit at the end of each file)."""
    return text.split("#[cfg(test)]", 1)[0]


graph = {m: set() for m in modules}
for module, files in modules.items():
    for path in files:
        text = code_without_tests(open(path, encoding="utf-8").read())
        text = re.sub(r"//[^\n]*", "", text)  # comments, doc links included
        for target in re.findall(r"crate::(\w+)", text):
            if target in modules and target != module:
                graph[module].add(target)
        for group in re.findall(r"crate::\{([^}]*)\}", text):
            for target in re.findall(r"(?:^|,)\s*(\w+)", group):
                if target in modules and target != module:
                    graph[module].add(target)

WHITE, GREY, BLACK = 0, 1, 2
colour = {m: WHITE for m in graph}
stack = []


def visit(m):
    colour[m] = GREY
    stack.append(m)
    for n in sorted(graph[m]):
        if colour[n] == GREY:
            cycle = stack[stack.index(n):] + [n]
            print("import cycle in core/src: " + " -> ".join(cycle))
            sys.exit(1)
        if colour[n] == WHITE:
            visit(n)
    stack.pop()
    colour[m] = BLACK


for m in sorted(graph):
    if colour[m] == WHITE:
        visit(m)
print(f"core/src: no import cycle among {len(graph)} modules")
if "-v" in sys.argv:
    for m in sorted(graph):
        print(f"  {m} -> {', '.join(sorted(graph[m]))}")
