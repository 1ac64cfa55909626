"""Printing a benchmark's results: aligned tables and the targets, each met or missed.

Shared by ``bench.py`` and ``bench_grading.py``; it imports nothing, so that neither pays for the
other's dependencies (torch, nbgrader). Both scripts run as ``python benchmarks/<script>.py``,
which puts this folder on ``sys.path``.
"""

VERDICTS = {True: "met", False: "MISSED", None: "n/a"}  # n/a: not measured in this run (see --filter)


def print_table(columns, rows, text_columns: int = 1) -> None:
    """Print ``rows`` under ``columns``: the first ``text_columns`` left-aligned, the numbers right-aligned.

    ``columns`` and each row are lists of cells (strings, or anything ``str`` prints). A row
    shorter than ``columns`` is a failed case: its text cells, then a status printed across the
    number columns (which it does not widen).
    """
    columns, rows = [str(cell) for cell in columns], [[str(cell) for cell in cells] for cells in rows]
    widths = [max(len(cells[i]) for cells in [columns, *rows] if i < text_columns or len(cells) == len(columns))
              for i in range(len(columns))]

    def line(cells):
        return "  ".join(cell.ljust(width) if i < text_columns else cell.rjust(width)
                         for i, (cell, width) in enumerate(zip(cells, widths)))

    print(line(columns))
    print("  ".join("-" * width for width in widths))
    for cells in rows:
        print(line(cells) if len(cells) == len(columns) else f"{line(cells[:-1])}  {cells[-1]}")


def print_targets(targets: dict) -> None:
    """Print ``targets:`` and a line per target, ``[met]``, ``[MISSED]`` or ``[n/a]`` (``met`` True, False or None)."""
    print("targets:")
    for target, met in targets.items():
        print(f"  [{VERDICTS[met]}] {target}")
