"""``python -m autograder slurm ASSIGNMENT... --course DIR --db postgresql://... --tasks N``: grading as a SLURM job array.

SLURM, which a university's cluster already runs, does the scheduling; the grader only splits
the class. The command writes two batch scripts into ``DIR/reports/slurm/<stamp>/`` and submits

1. the grading array, ``sbatch --array=0-(N-1)%M grade.sbatch``: task i runs
   ``python -m autograder grade ... --shard i/N --workers <its CPUs> --without-sandbox flag``,
   grading share i of the students (:func:`.pipeline.share`: the same split on every node and
   every run) into the one PostgreSQL gradebook, and writes ``task-<i>.status`` (its exit code)
   when it ends;
2. the report job, ``sbatch --dependency=afterany:<array> report.sbatch``, which runs
   ``python -m autograder report ...`` once every task has ended, whatever became of them.

``--wait`` blocks until the report job ends, then exits non-zero naming the tasks that failed
or never finished (no status: cancelled, killed, out of time) and the students not graded yet.
``--dry-run`` prints the scripts and the ``sbatch`` lines and submits nothing. A rerun after a
failed or cancelled task regrades only the unfinished students: every finished one has a record.

What the command assumes, and checks where it can: the course folder is on a filesystem every
node sees (as nbgrader's exchange requires; a task that cannot see it fails, naming the node);
the gradebook is PostgreSQL (SQLite is refused: its locks do not hold across machines); each
node has bubblewrap with user namespaces (a task on a node without it flags its students,
"no sandbox on node X", for a rerun, instead of grading them unsandboxed).
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

STATUS = "task-{}.status"
#: The grading array's job id in the lines the dry run prints: a shell variable, for whoever runs them by hand.
ARRAY_ID = "$ARRAY_JOB_ID"


class SlurmError(ValueError):
    """The job cannot be submitted as asked; the message says why."""


@dataclasses.dataclass(frozen=True)
class Job:
    """One grading job: what to grade, where, and how SLURM should run it."""

    assignments: tuple[str, ...]
    course: Path
    db_url: str
    tasks: int
    max_parallel: int | None = None
    partition: str | None = None
    time: str | None = None
    mem_mb: int | None = None
    cpus_per_task: int = 2
    grade_options: tuple[str, ...] = ()  # passed on to `grade` (limits)

    def folder(self, stamp: str) -> Path:
        return self.course / "reports" / "slurm" / stamp


def check(job: Job) -> None:
    """Raise :class:`SlurmError` for a job that cannot work: SQLite, no sbatch, a bad count, no course."""
    if not job.db_url or job.db_url.startswith("sqlite"):
        raise SlurmError(
            "SLURM tasks write to one gradebook from several machines at once, which SQLite cannot take "
            "(its file locks do not hold across machines or on network filesystems): give a PostgreSQL "
            "gradebook, --db postgresql://user@host/dbname")
    if job.tasks < 1 or (job.max_parallel is not None and job.max_parallel < 1):
        raise SlurmError(f"--tasks and --max-parallel must be at least 1, got {job.tasks} and {job.max_parallel}")
    if not (job.course / "nbgrader_config.py").is_file():
        raise SlurmError(f"{job.course} has no nbgrader_config.py: it is not an nbgrader course root")


def _directives(job: Job, output: str, name: str) -> list[str]:
    lines = [f"#SBATCH --job-name={name}", f"#SBATCH --output={output}", f"#SBATCH --cpus-per-task={job.cpus_per_task}"]
    if job.partition:
        lines.append(f"#SBATCH --partition={job.partition}")
    if job.time:
        lines.append(f"#SBATCH --time={job.time}")
    if job.mem_mb:
        lines.append(f"#SBATCH --mem={job.mem_mb}")
    return lines


def _command(*args: str) -> str:
    return shlex.join([sys.executable, "-m", "autograder", *args])


def scripts(job: Job, folder: Path) -> tuple[str, str]:
    """Return the grading array's batch script and the report job's."""
    common = ["--course", str(job.course), "--db", job.db_url]
    bin_dir = shlex.quote(os.path.dirname(sys.executable))
    grade = "\n".join([
        "#!/bin/bash",
        *_directives(job, str(folder / "task-%a.out"), "autograde"),
        f"# Written by `python -m autograder slurm` for {job.course}: array task i grades share i of {job.tasks}",
        "# of the students into the PostgreSQL gradebook, with the CPUs SLURM gives it, and leaves its exit code.",
        # nbgrader starts alembic by name: this environment's bin/ first.
        f"export PATH={bin_dir}:$PATH",
        _command("grade", *job.assignments, *common, *job.grade_options)
        + f' --shard "$SLURM_ARRAY_TASK_ID/{job.tasks}" --workers "${{SLURM_CPUS_PER_TASK:-1}}"'
        + " --without-sandbox flag --quiet",
        "status=$?",
        f'echo "$status" > {shlex.quote(str(folder))}/task-"$SLURM_ARRAY_TASK_ID".status',
        "exit $status",
        ""])
    report = "\n".join([
        "#!/bin/bash",
        *_directives(dataclasses.replace(job, cpus_per_task=1), str(folder / "report.out"), "autograde-report"),
        "# Written by `python -m autograder slurm`: the reports, once every grading task has ended.",
        f"export PATH={bin_dir}:$PATH",
        _command("report", *job.assignments, *common),
        ""])
    return grade, report


def sbatch_lines(job: Job, folder: Path, array_id: str = ARRAY_ID, wait: bool = False) -> list[list[str]]:
    """Return the two ``sbatch`` command lines (the second needs the first's job id, ``array_id``)."""
    limit = f"%{job.max_parallel}" if job.max_parallel else ""
    return [["sbatch", "--parsable", f"--array=0-{job.tasks - 1}{limit}", str(folder / "grade.sbatch")],
            ["sbatch", "--parsable", f"--dependency=afterany:{array_id}", *(["--wait"] if wait else []),
             str(folder / "report.sbatch")]]


def _sbatch(argv: list[str], env=None) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    except FileNotFoundError:
        raise SlurmError("sbatch is not installed here: run this command on a SLURM login node") from None
    if done.returncode != 0:
        raise SlurmError(f"{shlex.join(argv)} failed: {(done.stderr or done.stdout).strip()[-500:]}")
    return done.stdout.strip().split(";")[0]


def failed_tasks(job: Job, folder: Path) -> list[str]:
    """Return, for every task that failed or never finished, a line saying which and how."""
    found = []
    for task in range(job.tasks):
        path = folder / STATUS.format(task)
        status = path.read_text().strip() if path.is_file() else ""
        if status != "0":
            how = f"exit {status}" if status else "no status: cancelled, killed or out of time"
            found.append(f"task {task} ({how}; log {folder / f'task-{task}.out'})")
    return found


def submit(job: Job, wait: bool = False, dry_run: bool = False, out=sys.stdout) -> int:
    """Write the scripts, submit them (or print them, with ``dry_run``) and return the exit code."""
    check(job)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = job.folder(stamp)
    grade, report = scripts(job, folder)
    if dry_run:
        print(f"# {folder / 'grade.sbatch'}\n{grade}\n# {folder / 'report.sbatch'}\n{report}", file=out)
        for line in sbatch_lines(job, folder, wait=wait):
            # Quoted as shlex.join quotes, but the array's id left for the shell to expand.
            print(" ".join(arg if ARRAY_ID in arg else shlex.quote(arg) for arg in line), file=out)
        return 0
    if shutil.which("sbatch") is None:
        raise SlurmError("sbatch is not installed here: run this command on a SLURM login node")
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("grade.sbatch", grade), ("report.sbatch", report)):
        path = folder / name
        path.write_text(text)
        path.chmod(0o700)  # it holds the gradebook's URL, which may hold a password
    array_id = _sbatch(sbatch_lines(job, folder, wait=wait)[0])
    print(f"submitted the grading array {array_id} ({job.tasks} tasks); logs and scripts in {folder}", file=out)
    report_id = _sbatch(sbatch_lines(job, folder, array_id, wait)[1])
    print(f"submitted the report job {report_id}; the reports will be in {job.course / 'reports'}", file=out)
    if not wait:
        return 0
    failed = failed_tasks(job, folder)
    report_log = folder / "report.out"
    if report_log.is_file():
        print(report_log.read_text().rstrip(), file=out)
    if failed:
        print("failed tasks: " + "; ".join(failed) + ". Run the same command again: finished students are "
              "skipped.", file=sys.stderr)
        return 1
    return 0


def add_parser(commands) -> None:
    """Add the ``slurm`` subcommand to the ``argparse`` subparsers ``commands``."""
    from .command import positive

    slurm = commands.add_parser(
        "slurm", help="grade as a SLURM job array into a PostgreSQL gradebook",
        description="Submit the grading of DIR's submissions as a SLURM job array of N tasks, each grading a "
                    "share of the students into one PostgreSQL gradebook, then a job that writes the reports.")
    slurm.add_argument("assignments", nargs="+", metavar="ASSIGNMENT")
    slurm.add_argument("--course", required=True, metavar="DIR",
                       help="the nbgrader course root, on a filesystem every node sees")
    slurm.add_argument("--db", required=True, metavar="URL", help="the PostgreSQL gradebook, postgresql://...")
    slurm.add_argument("--tasks", required=True, type=positive, metavar="N", help="array tasks (shares of the class)")
    slurm.add_argument("--max-parallel", type=positive, metavar="M", help="tasks running at once (sbatch's %%M)")
    slurm.add_argument("--partition", metavar="P", help="SLURM partition")
    slurm.add_argument("--time", metavar="T", help="time limit of each task, as sbatch takes it (e.g. 1:00:00)")
    slurm.add_argument("--mem", type=positive, metavar="MB", help="memory of each task in MB")
    slurm.add_argument("--cpus-per-task", type=positive, default=2, metavar="C",
                       help="CPUs of each task: its students are graded by as many workers (2)")
    slurm.add_argument("--cell-timeout", type=float, metavar="S", help="as for grade (default: the course's)")
    slurm.add_argument("--wait", action="store_true",
                       help="block until the reports are written; exit 1 naming the failed tasks, if any")
    slurm.add_argument("--dry-run", action="store_true", help="print the scripts and the sbatch lines; submit nothing")
    slurm.set_defaults(run=run)


def run(args) -> int:
    job = Job(tuple(args.assignments), Path(args.course).resolve(), args.db, args.tasks, args.max_parallel,
              args.partition, args.time, args.mem, args.cpus_per_task,
              ("--cell-timeout", str(args.cell_timeout)) if args.cell_timeout else ())
    try:
        return submit(job, wait=args.wait, dry_run=args.dry_run)
    except SlurmError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
