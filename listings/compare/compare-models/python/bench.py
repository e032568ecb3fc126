"""The benchmark's workloads in CPython: threading, multiprocessing, asyncio.

The same work as the Rust listing compare-models: count primes by trial
division (CPU-bound), and many concurrent waits on a timer or on a slow echo
server (I/O-bound), plus what one thread, process and task costs. Like the
Rust side, it takes several samples of every figure, runs the models in a
new order in each repetition, and makes pools and event loops before the
clock starts.

    python3 bench.py --quick            # a few seconds, small sizes
    python3 bench.py --full --echo-port PORT --max-processes N \\
        --max-threads N --memory-budget BYTES

It prints one JSON object on stdout (progress goes to stderr with --full),
and exits with status 1 if an answer is wrong. Without --echo-port it starts
its own echo server, in a process of its own. Linux only: it reads /proc.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import resource
import socket
import itertools
import statistics
import subprocess
import sys
import sysconfig
import threading
import time

BLOCK = 1000

QUICK = {
    "prime_limit": 20_000,
    "primes_expected": 2_262,
    "repetitions": 3,
    "io_counts": [10],
    "wait": 0.01,
    "io_budget": 1.0,
    "thread_spawns": 50,
    "process_spawns": 3,
    "task_spawns": 500,
    "threads_alive": 50,
    "processes_alive": 3,
    "tasks_alive": 1_000,
}

FULL = {
    "prime_limit": 1_000_000,
    "primes_expected": 78_498,
    "repetitions": 5,
    "io_counts": [100, 1_000, 10_000],
    "wait": 0.1,
    "io_budget": 10.0,
    "thread_spawns": 2_000,
    "process_spawns": 100,
    "task_spawns": 20_000,
    "threads_alive": 1_000,
    "processes_alive": 10,
    "tasks_alive": 20_000,
}

CPU_MODELS = ["sequential", "threading", "multiprocessing", "asyncio"]
SCALABLE = ["threading", "multiprocessing"]
IO_MODELS = ["sequential", "threading", "multiprocessing", "asyncio"]
COST_UNITS = ["thread", "process", "asyncio task"]


def progress(settings, message):
    if settings["full"]:
        print(f"[bench.py] {message}", file=sys.stderr, flush=True)


def order(items, repetition):
    """Of all the orders of items, the one that least repeats what the
    repetitions before did (a model at the same place, first above all; the
    same model right before it; a pair of neighbours in the direction they
    ran more often; a whole order again): the Rust side's models::order."""
    n = len(items)
    at_place, after, chosen = {}, {}, []
    for _ in range(repetition + 1):
        best = None
        for candidate in itertools.permutations(range(n)):
            score = sum(at_place.get((m, i), 0) for i, m in enumerate(candidate))
            for a, b in zip(candidate, candidate[1:]):
                ab, ba = after.get((a, b), 0), after.get((b, a), 0)
                score += 3 * ab + 2 * (ab - ba)
            score += n * n if candidate in chosen else 0
            score += n * at_place.get((candidate[0], 0), 0)
            if best is None or score < best[0]:
                best = (score, candidate)
        for i, m in enumerate(best[1]):
            at_place[(m, i)] = at_place.get((m, i), 0) + 1
        for a, b in zip(best[1], best[1][1:]):
            after[(a, b)] = after.get((a, b), 0) + 1
        chosen.append(best[1])
    return [items[i] for i in chosen[-1]]


RUN_LOG = []


def record(group, repetition, name):
    """Notes each sample as it is taken; results.json stores the log."""
    RUN_LOG.append([group, repetition, name])


def spread(samples, unit):
    """The samples of one figure, as the Rust side records them."""
    return {
        f"median_{unit}": statistics.median(samples),
        f"min_{unit}": min(samples),
        f"max_{unit}": max(samples),
        f"samples_{unit}": samples,
    }


def time_after(set_up, run, tear_down=lambda prepared: None):
    """Times run(prepared) alone: set_up and tear_down are outside the clock."""
    prepared = set_up()
    try:
        started = time.perf_counter()
        result = run(prepared)
        return time.perf_counter() - started, result
    finally:
        tear_down(prepared)


# CPU-bound ---------------------------------------------------------------


# ANCHOR: count
def is_prime(n):
    if n < 2:
        return False
    divisor = 2
    while divisor * divisor <= n:
        if n % divisor == 0:
            return False
        divisor += 1
    return True


def count_share(worker, workers, limit):
    """Blocks worker, worker + workers, ... of BLOCK numbers each."""
    total = 0
    blocks = (limit + BLOCK - 1) // BLOCK
    for block in range(worker, blocks, workers):
        start = block * BLOCK
        total += sum(1 for n in range(start, min(start + BLOCK, limit)) if is_prime(n))
    return total
# ANCHOR_END: count


def count_share_args(args):
    return count_share(*args)


def ready(_):
    return os.getpid()


def cpu_set_up(model, workers):
    """A pool with its workers started, or an event loop: made before the clock."""
    if model == "multiprocessing":
        pool = multiprocessing.Pool(workers)
        pool.map(ready, range(workers), chunksize=1)
        return pool
    if model == "asyncio":
        return asyncio.new_event_loop()
    return None


def cpu_tear_down(prepared):
    if isinstance(prepared, asyncio.AbstractEventLoop):
        prepared.close()
    elif prepared is not None:
        prepared.close()
        prepared.join()


# ANCHOR: cpu_run
def cpu_run(model, workers, limit, prepared):
    if model == "sequential":
        return count_share(0, 1, limit)
    if model == "threading":
        counts = [0] * workers

        def work(worker):
            counts[worker] = count_share(worker, workers, limit)

        threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(counts)
    if model == "multiprocessing":
        shares = [(w, workers, limit) for w in range(workers)]
        return sum(prepared.map(count_share_args, shares, chunksize=1))

    async def work(worker):
        return count_share(worker, workers, limit)

    async def main():
        return sum(await asyncio.gather(*(work(w) for w in range(workers))))

    return prepared.run_until_complete(main())
# ANCHOR_END: cpu_run


def cpu_samples(settings, models, workers):
    """Samples of each model with `workers` workers (sequential: one)."""
    limit = settings["prime_limit"]
    samples = {model: [] for model in models}
    counted = {}
    for repetition in range(settings["repetitions"]):
        for model in order(models, repetition):
            used = 1 if model == "sequential" else workers
            progress(
                settings,
                f"CPU-bound, {model} with {used} workers: "
                f"sample {repetition + 1} of {settings['repetitions']}",
            )
            seconds, primes = time_after(
                lambda: cpu_set_up(model, used),
                lambda prepared: cpu_run(model, used, limit, prepared),
                cpu_tear_down,
            )
            if primes != settings["primes_expected"]:
                sys.exit(
                    f"bench.py: {model} counted {primes} primes below {limit}, "
                    f"but there are {settings['primes_expected']}"
                )
            samples[model].append(seconds)
            record(f"cpu {workers} workers", repetition, model)
            counted[model] = primes
    return samples, counted


def measure_cpu(settings, cores):
    """The table at `cores` workers, and the scaling curve from 1 worker up."""
    count_share(0, 1, settings["prime_limit"] // 10)  # unmeasured: caches and clocks warm up
    samples, counted = cpu_samples(settings, CPU_MODELS, cores)
    baseline = statistics.median(samples["sequential"])
    rows = [
        {
            "model": model,
            "workers": 1 if model == "sequential" else cores,
            "primes": counted[model],
            "time": spread(samples[model], "s"),
            "speedup": baseline / statistics.median(samples[model]),
        }
        for model in CPU_MODELS
    ]
    points = {model: [] for model in SCALABLE}
    for workers in range(1, cores):
        fewer, _ = cpu_samples(settings, SCALABLE, workers)
        for model in SCALABLE:
            points[model].append((workers, fewer[model]))
    for model in SCALABLE:
        points[model].append((cores, samples[model]))
    scaling = [
        {
            "model": model,
            "points": [
                {
                    "workers": workers,
                    "time": spread(times, "s"),
                    "speedup": baseline / statistics.median(times),
                }
                for workers, times in points[model]
            ],
        }
        for model in SCALABLE
    ]
    return rows, scaling


# I/O-bound ---------------------------------------------------------------


def tcp_counters():
    """ListenOverflows and TCPSynRetrans from /proc/net/netstat, or None."""
    try:
        with open("/proc/net/netstat") as netstat:
            lines = [line.split() for line in netstat if line.startswith("TcpExt:")]
        fields = dict(zip(lines[0][1:], (int(v) for v in lines[1][1:])))
        return fields["ListenOverflows"], fields["TCPSynRetrans"]
    except (OSError, IndexError, KeyError, ValueError):
        return None


# Seconds a client waits beyond the delay it asked for (echo::PATIENCE).
PATIENCE = 30


def time_wait():
    """TCP sockets in TIME_WAIT now (the tw field of /proc/net/sockstat)."""
    try:
        with open("/proc/net/sockstat") as sockstat:
            fields = next(line for line in sockstat if line.startswith("TCP:")).split()
        return int(fields[fields.index("tw") + 1])
    except (OSError, StopIteration, ValueError, IndexError):
        return None


def request_line(ident, wait):
    return f"wait {round(wait * 1000)} request {ident}\n"


def check_reply(request, reply):
    if reply != request:
        raise RuntimeError(f"wrong echo: sent {request!r}, the server answered {reply!r}")


def wait_blocking(kind, port, ident, wait):
    if kind == "sleep":
        time.sleep(wait)
        return
    request = request_line(ident, wait)
    # A stalled server ends the run with an error (socket.timeout), not a hang.
    with socket.create_connection(("127.0.0.1", port), timeout=wait + PATIENCE) as stream:
        stream.sendall(request.encode())
        replies = stream.makefile("rb")
        reply = replies.readline().decode()
        # The server closes first: read to its end of file, as the Rust side does.
        replies.read()
    check_reply(request, reply)


async def wait_async(kind, port, ident, wait):
    if kind == "sleep":
        await asyncio.sleep(wait)
        return
    request = request_line(ident, wait)

    async def exchange():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request.encode())
        reply = (await reader.readline()).decode()
        await reader.read()  # the server closes first
        writer.close()
        await writer.wait_closed()
        return reply

    check_reply(request, await asyncio.wait_for(exchange(), wait + PATIENCE))


def io_threading(kind, port, count, wait):
    errors = []

    def work(ident):
        try:
            wait_blocking(kind, port, ident, wait)
        except Exception as error:  # reported after the join
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def process_wait(kind, port, ident, wait):
    try:
        wait_blocking(kind, port, ident, wait)
    except Exception as error:
        print(f"bench.py: worker {ident}: {error}", file=sys.stderr)
        os._exit(1)


def io_multiprocessing(kind, port, count, wait):
    processes = [
        multiprocessing.Process(target=process_wait, args=(kind, port, i, wait))
        for i in range(count)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} worker processes failed")


def io_run(model, kind, port, count, wait, loop):
    if model == "sequential":
        for ident in range(count):
            wait_blocking(kind, port, ident, wait)
    elif model == "threading":
        io_threading(kind, port, count, wait)
    elif model == "multiprocessing":
        io_multiprocessing(kind, port, count, wait)
    else:

        async def main():
            await asyncio.gather(*(wait_async(kind, port, i, wait) for i in range(count)))

        loop.run_until_complete(main())


def io_plan(settings, caps):
    """Every row, with how many waits it runs and why not more."""
    wait = settings["wait"]
    rows = []
    counted = tcp_counters() is not None
    for kind in ["sleep", "tcp"]:
        for count in settings["io_counts"]:
            for model in IO_MODELS:
                ran, note = count, None
                if model == "sequential" and count * wait > settings["io_budget"]:
                    ran = 0
                    note = f"skipped: 1 at a time, {count} waits would take {count * wait:.0f} s"
                elif (cap := caps.get((model, kind))) and cap[0] < count:
                    ran = cap[0]
                    note = f"capped at {ran:,} ({cap[1]})"
                tcp = {"listen_overflows": [], "syn_retransmits": [], "time_wait_before": []}
                rows.append(
                    {
                        "workload": kind,
                        "model": model,
                        "n": count,
                        "n_run": ran,
                        "time": [],
                        "note": note,
                        "tcp": tcp if counted and kind == "tcp" and ran else None,
                    }
                )
    return rows


def measure_io(settings, port, caps):
    rows = io_plan(settings, caps)
    # One unmeasured round of the fewest sleeps per model that runs them all
    # at once, as the Rust side does: first runs pay for cold starts.
    for model in ["threading", "multiprocessing", "asyncio"]:
        loop = asyncio.new_event_loop() if model == "asyncio" else None
        try:
            io_run(model, "sleep", port, settings["io_counts"][0], settings["wait"], loop)
        finally:
            if loop:
                loop.close()
    for repetition in range(settings["repetitions"]):
        for kind in ["sleep", "tcp"]:
            for count in settings["io_counts"]:
                # Balanced over the models that run at this size: a skipped
                # model must not leave a gap in the order.
                running = [
                    model
                    for model in IO_MODELS
                    if any(
                        (r["workload"], r["n"], r["model"]) == (kind, count, model)
                        and r["n_run"]
                        for r in rows
                    )
                ]
                for model in order(running, repetition):
                    row = next(
                        r
                        for r in rows
                        if (r["workload"], r["n"], r["model"]) == (kind, count, model)
                    )
                    if row["n_run"]:
                        io_sample(settings, port, row, repetition)
                        record(f"io {kind} {count}", repetition, model)
    for row in rows:
        row["time"] = spread(row["time"], "s") if row["n_run"] else None
    return rows


def io_sample(settings, port, row, repetition):
    kind, model, ran = row["workload"], row["model"], row["n_run"]
    progress(
        settings,
        f"I/O-bound, {kind} x {ran}, {model}: "
        f"sample {repetition + 1} of {settings['repetitions']}",
    )
    before, time_wait_before = tcp_counters(), time_wait()
    try:
        seconds, _ = time_after(
            lambda: asyncio.new_event_loop() if model == "asyncio" else None,
            lambda loop: io_run(model, kind, port, ran, settings["wait"], loop),
            lambda loop: loop.close() if loop else None,
        )
    except Exception as error:
        sys.exit(f"bench.py: {kind} with {model}: {error}")
    row["time"].append(seconds)
    after = tcp_counters()
    if row["tcp"] is not None and before and after:
        row["tcp"]["listen_overflows"].append(after[0] - before[0])
        row["tcp"]["syn_retransmits"].append(after[1] - before[1])
        row["tcp"]["time_wait_before"].append(time_wait_before)


# Cost per unit -------------------------------------------------------------


def kib(path, field):
    with open(path) as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in {path}")


def footprint(children=()):
    """The processes chapter's memory metric, in bytes: PSS and page tables
    (VmPTE) of this process and of `children`, plus the kernel stacks of
    every task on the machine (KernelStack, system-wide)."""
    total = 0
    for pid in ["self", *children]:
        total += kib(f"/proc/{pid}/smaps_rollup", "Pss:") + kib(f"/proc/{pid}/status", "VmPTE:")
    return (total + kib("/proc/meminfo", "KernelStack:")) * 1024


def noop():
    pass


def wait_for(started, release):
    started.wait()
    release.wait()


def thread_memory(alive):
    """Memory added by `alive` waiting threads, per thread."""
    barrier = threading.Barrier(alive + 1)
    release = threading.Event()

    def parked():
        barrier.wait()
        release.wait()

    before = footprint()
    threads = [threading.Thread(target=parked) for _ in range(alive)]
    for thread in threads:
        thread.start()
    barrier.wait()  # every thread is alive and waiting now
    during = footprint()
    release.set()
    for thread in threads:
        thread.join()
    return (during - before) / alive


def task_memory(alive):
    """Memory added by `alive` waiting asyncio tasks, per task."""

    async def tasks():
        release = asyncio.Event()
        before = footprint()
        waiting = [asyncio.create_task(release.wait()) for _ in range(alive)]
        await asyncio.sleep(0)  # let every task start and block on the event
        during = footprint()
        release.set()
        await asyncio.gather(*waiting)
        return (during - before) / alive

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(tasks())
    finally:
        loop.close()


def in_new_interpreter(kind, alive):
    """One memory sample, taken in a new python3: in this one, memory that an
    earlier sample freed stays with the process and is handed out again, so
    that the next sample would see little growth."""
    command = [sys.executable, os.path.abspath(__file__), "--memory-of", kind, str(alive)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(done.stdout)


def thread_sample(settings):
    count = settings["thread_spawns"]
    started = time.perf_counter()
    for _ in range(count):
        thread = threading.Thread(target=noop)
        thread.start()
        thread.join()
    spawn = (time.perf_counter() - started) / count
    return spawn, in_new_interpreter("thread", settings["threads_alive"])


def process_sample(settings):
    count = settings["process_spawns"]
    started = time.perf_counter()
    for _ in range(count):
        process = multiprocessing.Process(target=noop)
        process.start()
        process.join()
    spawn = (time.perf_counter() - started) / count
    alive = settings["processes_alive"]
    barrier = multiprocessing.Barrier(alive + 1)
    release = multiprocessing.Event()
    before = footprint()
    processes = [
        multiprocessing.Process(target=wait_for, args=(barrier, release)) for _ in range(alive)
    ]
    for process in processes:
        process.start()
    barrier.wait()  # every child is up and waiting now
    during = footprint([p.pid for p in processes])
    release.set()
    for process in processes:
        process.join()
    return spawn, (during - before) / alive


async def empty():
    """Does nothing: the task's cost is all that is timed (sleep(0) would
    yield to the loop once more)."""


def task_sample(settings):
    async def spawns():
        count = settings["task_spawns"]
        started = time.perf_counter()
        for _ in range(count):
            await asyncio.create_task(empty())
        return (time.perf_counter() - started) / count

    loop = asyncio.new_event_loop()  # made before the clock, like the Rust runtimes
    try:
        spawn = loop.run_until_complete(spawns())
    finally:
        loop.close()
    return spawn, in_new_interpreter("task", settings["tasks_alive"])


def measure_cost(settings):
    samplers = {"thread": thread_sample, "process": process_sample, "asyncio task": task_sample}
    spawns = {"thread": "thread_spawns", "process": "process_spawns", "asyncio task": "task_spawns"}
    alive = {"thread": "threads_alive", "process": "processes_alive", "asyncio task": "tasks_alive"}
    samples = {unit: ([], []) for unit in COST_UNITS}
    for repetition in range(settings["repetitions"]):
        for unit in order(COST_UNITS, repetition):
            progress(settings, f"cost: {unit}: sample {repetition + 1} of {settings['repetitions']}")
            spawn, memory = samplers[unit](settings)
            samples[unit][0].append(spawn * 1e6)
            samples[unit][1].append(memory)
            record("cost", repetition, unit)
    return [
        {
            "unit": unit,
            "spawns": settings[spawns[unit]],
            "spawn_join": spread(samples[unit][0], "us"),
            "alive": settings[alive[unit]],
            "memory": spread(samples[unit][1], "bytes"),
        }
        for unit in COST_UNITS
    ]


# Echo server, when the Rust benchmark does not give us its port ----------


def serve_echo(port_sender):
    """The echo server's process: serves until its parent ends it."""

    async def serve(reader, writer):
        line = await asyncio.wait_for(reader.readline(), PATIENCE)
        parts = line.split()
        delay = int(parts[1]) / 1000 if len(parts) > 1 and parts[1].isdigit() else 0
        await asyncio.sleep(delay)
        writer.write(line)
        await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=4096)
        port_sender.send(server.sockets[0].getsockname()[1])
        port_sender.close()
        await server.serve_forever()

    asyncio.run(main())


def start_echo_server():
    """A slow echo server in a process of its own; returns its port. On a
    thread of this process it would need this process's GIL, and while the
    main thread forks thousands of workers its clients time out."""
    port_receiver, port_sender = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve_echo, args=(port_sender,), daemon=True)
    server.start()
    port_sender.close()
    return port_receiver.recv()


def interpreter():
    """Which CPython this is, and whether it runs with the GIL."""
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)  # Python 3.13 and later
    return {
        "python": sys.version.split()[0],
        "implementation": sys.implementation.name,
        "executable": sys.executable,
        # A free-threaded build (3.13t, 3.14t) defines Py_GIL_DISABLED as 1.
        "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "gil_enabled": is_gil_enabled() if is_gil_enabled else True,
        "free_threaded_on_path": [
            name for name in ["python3.13t", "python3.14t", "python3t"] if shutil.which(name)
        ],
        "start_method": multiprocessing.get_start_method(),
    }


def raise_open_files():
    """Raises the soft limit on open files to the hard limit, as the Rust side
    does, and says so on stderr: 10,000 sockets or pipes need more than the
    usual soft limit of 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == hard:
        return
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError) as e:
        print(f"bench.py: the soft limit on open files stays {soft:,} ({e})", file=sys.stderr)
        return
    print(
        f"bench.py: raised the soft limit on open files from {soft:,} to the hard limit, {hard:,}",
        file=sys.stderr,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes (the default)")
    size.add_argument("--full", action="store_true", help="the real measurements")
    parser.add_argument("--echo-port", type=int, help="use this echo server on 127.0.0.1")
    parser.add_argument("--max-processes", type=int, default=1000)
    parser.add_argument("--max-threads", type=int, default=10_000)
    parser.add_argument("--memory-budget", type=int, help="bytes for worker processes")
    parser.add_argument(
        "--memory-of",
        nargs=2,
        metavar=("thread|task", "N"),
        help="print the memory N waiting threads or tasks add, each, and exit",
    )
    args = parser.parse_args()
    if args.memory_of:
        kind, alive = args.memory_of[0], int(args.memory_of[1])
        print({"thread": thread_memory, "task": task_memory}[kind](alive))
        return

    settings = dict(FULL if args.full else QUICK, full=args.full)
    # The CPUs this process may run on (taskset, cgroups' cpusets), as Rust's
    # available_parallelism counts them; os.cpu_count() counts the machine's.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    raise_open_files()
    port = args.echo_port or start_echo_server()
    cpu, scaling = measure_cpu(settings, cores)
    cost = measure_cost(settings)
    threads = (args.max_threads, "the cap the benchmark passed (--max-threads)")
    processes = (args.max_processes, "the cap the benchmark passed (--max-processes)")
    sockets = (1 << 20, "")
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY:
        free = max(soft - len(os.listdir("/proc/self/fd")) - 256, 0)
        sockets = (free, f"RLIMIT_NOFILE is {soft:,}: one socket per request")
        # A forked multiprocessing.Process leaves the parent two pipe ends.
        if free // 2 < processes[0]:
            processes = (free // 2, f"RLIMIT_NOFILE is {soft:,}: two pipe ends per process")
    caps = {
        ("threading", "sleep"): threads,
        ("threading", "tcp"): min(threads, sockets),
        ("asyncio", "tcp"): sockets,
        ("multiprocessing", "sleep"): processes,
        ("multiprocessing", "tcp"): processes,
    }
    # The same budget as the Rust side, divided by what one of these worker
    # processes costs by the same measure.
    budget = args.memory_budget or kib("/proc/meminfo", "MemAvailable:") * 1024 // 4
    per_process = statistics.median(
        next(row["memory"]["samples_bytes"] for row in cost if row["unit"] == "process")
    )
    if per_process > 0 and budget // per_process < processes[0]:
        processes = (
            int(budget // per_process),
            f"{budget >> 20:,} MiB, a quarter of MemAvailable, at {per_process / 1024:,.0f} KiB "
            "per process",
        )
        caps[("multiprocessing", "sleep")] = caps[("multiprocessing", "tcp")] = processes
    io = measure_io(settings, port, caps)
    results = dict(
        interpreter(),
        settings={
            **{key: value for key, value in settings.items() if key != "full"},
        },
        cpu=cpu,
        scaling=scaling,
        io=io,
        cost=cost,
        run_log=RUN_LOG,
    )
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
