"""protocol-planner: typed study protocols, checked and exported.

The package is layered one way: :mod:`planner.model` (frozen attrs classes,
no I/O) → :mod:`planner.expr` (rule expressions) → :mod:`planner.serialize`
(the one cattrs converter) → :mod:`planner.checks` → ``exports`` → the CLI.
"""

__version__ = "0.1.0"
