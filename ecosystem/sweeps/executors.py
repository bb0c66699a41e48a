"""Executors: where sweep members run. One interface, a local process pool or Ray.

An executor runs ``fn(spec)`` for every task and reports each member as it ends through
``done(member, wall_seconds, error)``: ``error`` is None on success, else one line saying what
went wrong (an exception, or a worker process that died). Every member runs in a fresh
process (Mesa keeps models alive, torch keeps memory), with torch and BLAS on one thread.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol

Task = tuple[str, Any]
"""(member id, the argument of the member function: a RunSpec)."""
Done = Callable[[str, float | None, str | None], None]

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
DIED = "worker process died (killed, out of memory or crashed) while running this member"


class Executor(Protocol):
    """Runs members and reports each one as it ends."""

    def run(self, fn: Callable[[Any], Any], tasks: list[Task], done: Done) -> None:
        """Run ``fn(arg)`` for every ``(member, arg)`` task; call ``done`` as each ends."""
        ...


def single_thread() -> None:
    """Worker initializer: one thread for torch and the BLAS libraries.

    torch reads OMP_NUM_THREADS when it loads; it is set here too if it is already loaded
    (importing it only for this would cost every member seconds).
    """
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def run_member(fn: Callable[[Any], Any], arg: Any, marker: str | None = None) -> float:
    """In a worker: note the start (``marker``), run ``fn(arg)``; returns its wall seconds."""
    if marker is not None:
        Path(marker).touch()
    single_thread()
    t0 = time.perf_counter()
    fn(arg)
    return time.perf_counter() - t0


def describe(exc: BaseException) -> str:
    """One line for a member's error."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


@contextmanager
def _thread_environment():
    """Children inherit one-thread BLAS settings from the start (before numpy loads)."""
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    os.environ.update(dict.fromkeys(THREAD_VARIABLES, "1"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class InlineExecutor:
    """Members one after another in this process: for tests and debugging, not isolation."""

    def run(self, fn: Callable[[Any], Any], tasks: list[Task], done: Done) -> None:
        """Run every task here; a member's exception is recorded, the rest go on."""
        for member, arg in tasks:
            t0 = time.perf_counter()
            try:
                fn(arg)
            except Exception as exc:
                done(member, None, describe(exc))
                continue
            done(member, time.perf_counter() - t0, None)


class LocalExecutor:
    """A spawn-context process pool, one member per child process.

    When a worker dies the pool breaks and every unfinished member with it. Members that had
    not started are resubmitted; those that had started are run again one at a time, alone,
    so the member that kills its process is the one recorded as failed.
    """

    def __init__(self, workers: int = 1):
        self.workers = max(1, workers)

    def run(self, fn: Callable[[Any], Any], tasks: list[Task], done: Done) -> None:
        """Run every task; see the class docstring for dead workers."""
        pending = list(tasks)
        with tempfile.TemporaryDirectory(prefix="ecosim-sweep-") as tmp, _thread_environment():
            markers = Path(tmp)
            while pending:
                suspects, pending = self._batch(fn, pending, done, markers, self.workers)
                for task in suspects:
                    self._batch(fn, [task], done, markers, 1, alone=True)

    def _batch(
        self,
        fn: Callable[[Any], Any],
        tasks: list[Task],
        done: Done,
        markers: Path,
        workers: int,
        alone: bool = False,
    ) -> tuple[list[Task], list[Task]]:
        """Run ``tasks`` in one pool; returns (started when it broke, not started)."""
        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(tasks)),
            mp_context=get_context("spawn"),
            max_tasks_per_child=1,
            initializer=single_thread,
        )
        futures = {
            pool.submit(run_member, fn, arg, str(_marker(markers, member))): (member, arg)
            for member, arg in tasks
        }
        suspects: list[Task] = []
        unstarted: list[Task] = []
        try:
            for future in as_completed(futures):
                member, arg = futures[future]
                try:
                    wall = future.result()
                except BrokenProcessPool:
                    if alone:
                        done(member, None, DIED)
                    elif _marker(markers, member).exists():
                        suspects.append((member, arg))
                    else:
                        unstarted.append((member, arg))
                    continue
                except Exception as exc:  # a member's own error: recorded, the rest go on
                    done(member, None, describe(exc))
                    continue
                done(member, wall, None)
        except BaseException:  # Ctrl+C: stop the members in flight; finished ones stay
            _stop(pool)
            raise
        pool.shutdown(wait=True)
        return suspects, unstarted


def _marker(markers: Path, member: str) -> Path:
    """The file a worker touches when it starts ``member``."""
    return markers / member.replace("/", "__").replace(os.sep, "__")


def _stop(pool: ProcessPoolExecutor) -> None:
    """Terminate a pool's workers, then shut it down (the pool has no public way to kill)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=10)
    pool.shutdown(wait=True, cancel_futures=True)


class RayExecutor:
    """Members as Ray tasks, one per fresh worker process (``max_calls=1``).

    Connects to ``address`` (or ``RAY_ADDRESS``) when given, else starts a local Ray with
    ``workers`` CPUs for the sweep and stops it afterwards. On a cluster the base scenario and
    the output folder must be on a filesystem every node sees.
    """

    def __init__(self, workers: int = 1, address: str | None = None):
        self.workers = max(1, workers)
        self.address = address or os.environ.get("RAY_ADDRESS") or None

    def run(self, fn: Callable[[Any], Any], tasks: list[Task], done: Done) -> None:
        """Run every task on Ray; a task whose worker dies is recorded as failed."""
        import ray
        from ray.exceptions import RayTaskError, WorkerCrashedError

        started_here = not ray.is_initialized()
        if started_here:
            self._init(ray)
        remote = ray.remote(num_cpus=1, max_calls=1, max_retries=0)(run_member)
        refs = {remote.remote(fn, arg): member for member, arg in tasks}
        try:
            while refs:
                ready, _ = ray.wait(list(refs), num_returns=1)
                for ref in ready:
                    member = refs.pop(ref)
                    try:
                        wall = ray.get(ref)
                    except RayTaskError as exc:
                        cause = exc.cause if exc.cause is not None else exc
                        done(member, None, describe(cause))
                        continue
                    except WorkerCrashedError:
                        done(member, None, DIED)
                        continue
                    except ray.exceptions.RayError as exc:
                        done(member, None, describe(exc))
                        continue
                    done(member, wall, None)
        except BaseException:
            for ref in refs:
                ray.cancel(ref, force=True)
            raise
        finally:
            if started_here:
                ray.shutdown()

    def _init(self, ray: Any) -> None:
        if self.address:
            ray.init(address=self.address, log_to_driver=False)
            return
        # Local workers import this very tree, whatever is installed in the environment.
        root = str(Path(__file__).resolve().parents[2])
        path = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = root if not path else f"{root}{os.pathsep}{path}"
        try:
            with _thread_environment():
                ray.init(
                    num_cpus=self.workers,
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                )
        finally:
            if path is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = path


def make_executor(kind: str, workers: int, address: str | None = None) -> Executor:
    """The executor named ``kind`` (local or ray)."""
    if kind == "ray":
        return RayExecutor(workers, address)
    return LocalExecutor(workers)
