"""OpenAlex partitions staged in parallel processes; the warehouse writes stay in the parent.

The stage step is pure (lines in, ``OpenAlexStaged`` batches out), so it runs in worker
processes; the parent receives the batches IN PARTITION ORDER and stores them exactly as the
serial reader does (same batches, same rows, same rejects, same order: a newer version of a
work, in a later partition, still replaces the older one).

- Partition ``j`` goes to worker ``j % N``; each worker stages its partitions in order and puts
  their batches on its OWN bounded queue (``depth`` batches). The parent drains the queue of the
  worker that holds the partition it is on, so no worker can block the partition the parent
  waits for (no deadlock), and at most ``N * depth`` staged batches wait in memory, whatever the
  partition and snapshot sizes (memory flat).
- Workers are forked where the platform can (Linux): no re-import of the caller's main script,
  and the child runs only the pure stage step (it never touches the parent's DuckDB connection
  and leaves with ``os._exit``, so nothing of the parent is flushed or closed twice). Elsewhere
  they are spawned (then a calling script needs the usual ``if __name__ == "__main__":`` guard).
  A worker that fails sends its traceback; one that dies is noticed; a worker whose parent died
  stops by itself.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import traceback
from pathlib import Path
from typing import Iterator

from talentflow.ingest.base import RawFile
from talentflow.ingest.openalex import OpenAlexStaged, WorkFilter, open_blocks, stage_blocks

DEFAULT_DEPTH = 4  # staged batches each worker may hold ready


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class WorkerError(RuntimeError):
    """A staging worker failed (a bug: the stage step turns bad data into rejects) or died."""


def _put(q, item, parent: int) -> bool:
    while True:
        try:
            q.put(item, timeout=1.0)
            return True
        except queue.Full:
            if os.getppid() != parent:  # the parent is gone: nobody will read this
                return False


def _work(jobs: list[tuple[int, str, str, str]], flt: WorkFilter, batch_size: int, max_year: int,
          q, parent: int) -> None:
    try:
        for j, path, file, entity in jobs:
            raw = RawFile("openalex", file, Path(path), "", None, {"entity": entity})
            for batch in stage_blocks(raw, open_blocks(raw.path, raw.file), flt=flt, entity=entity,
                                      batch_size=batch_size, max_year=max_year):
                if not _put(q, ("batch", j, batch), parent):
                    return
            if not _put(q, ("end", j, None), parent):
                return
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        _put(q, ("error", -1, traceback.format_exc()), parent)


def stage_parallel(jobs: list[tuple[RawFile, str]], *, flt: WorkFilter, batch_size: int, max_year: int,
                   workers: int, depth: int = DEFAULT_DEPTH) -> Iterator[Iterator[OpenAlexStaged]]:
    """For each (raw, entity) of ``jobs``, in order, an iterator of its staged batches (consume
    each fully before the next, as the pipeline does). Workers start on the first ``next``."""
    n = max(1, min(workers, len(jobs)))
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    queues = [ctx.Queue(maxsize=depth) for _ in range(n)]
    assigned: list[list[tuple[int, str, str, str]]] = [[] for _ in range(n)]
    for j, (raw, entity) in enumerate(jobs):
        assigned[j % n].append((j, str(raw.path), raw.file, entity))
    procs = [ctx.Process(target=_work, args=(assigned[w], flt, batch_size, max_year, queues[w], os.getpid()),
                         daemon=True, name=f"talentflow-openalex-stage-{w}") for w in range(n)]
    for p in procs:
        p.start()

    def batches(j: int) -> Iterator[OpenAlexStaged]:
        w = j % n
        while True:
            try:
                kind, jj, item = queues[w].get(timeout=1.0)
            except queue.Empty:
                if not procs[w].is_alive():
                    raise WorkerError(f"OpenAlex staging worker {w} died (exit code {procs[w].exitcode}) "
                                      f"while staging {jobs[j][0].file}") from None
                continue
            if kind == "error":
                raise WorkerError(f"OpenAlex staging worker {w} failed on {jobs[j][0].file}:\n{item}")
            if jj != j:  # pragma: no cover - the assignment makes this impossible
                raise WorkerError(f"OpenAlex staging worker {w}: partition {jj} arrived while waiting for {j}")
            if kind == "end":
                return
            yield item

    try:
        for j in range(len(jobs)):
            yield batches(j)
        for p in procs:
            p.join(timeout=10)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
        for q in queues:
            q.close()
            q.cancel_join_thread()
