"""The benchmark's workloads in CPython: threading, multiprocessing, asyncio.

The same work as the Rust listing compare-models: count primes by trial
division (CPU-bound), and many concurrent waits on a timer or on a slow echo
server (I/O-bound), plus what one thread, process and task costs.

    python3 bench.py --quick            # a few seconds, small sizes
    python3 bench.py --full --echo-port PORT --max-processes N

It prints one JSON object on stdout (progress goes to stderr with --full),
and exits with status 1 if an answer is wrong. Without --echo-port it starts
its own echo server, in a thread.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import sys
import threading
import time

BLOCK = 1000

QUICK = {
    "prime_limit": 20_000,
    "primes_expected": 2_262,
    "io_counts": [20],
    "wait": 0.01,
    "io_budget": 1.0,
    "thread_spawns": 100,
    "process_spawns": 5,
    "task_spawns": 1_000,
    "threads_alive": 100,
    "processes_alive": 3,
    "tasks_alive": 2_000,
}

FULL = {
    "prime_limit": 1_000_000,
    "primes_expected": 78_498,
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


def progress(settings, message):
    if settings["full"]:
        print(f"[bench.py] {message}", file=sys.stderr, flush=True)


# CPU-bound ---------------------------------------------------------------


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


def count_share_args(args):
    return count_share(*args)


def cpu_threading(workers, limit):
    counts = [0] * workers

    def work(worker):
        counts[worker] = count_share(worker, workers, limit)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts)


def cpu_multiprocessing(workers, limit):
    with multiprocessing.Pool(workers) as pool:
        shares = [(w, workers, limit) for w in range(workers)]
        return sum(pool.map(count_share_args, shares))


def cpu_asyncio(workers, limit):
    async def work(worker):
        return count_share(worker, workers, limit)

    async def main():
        return sum(await asyncio.gather(*(work(w) for w in range(workers))))

    return asyncio.run(main())


def measure_cpu(settings, cores):
    limit = settings["prime_limit"]
    models = [
        ("sequential", 1, lambda: count_share(0, 1, limit)),
        ("threading", cores, lambda: cpu_threading(cores, limit)),
        ("multiprocessing", cores, lambda: cpu_multiprocessing(cores, limit)),
        ("asyncio", cores, lambda: cpu_asyncio(cores, limit)),
    ]
    rows = []
    count_share(0, 1, limit // 10)  # unmeasured: caches and clocks warm up
    for name, workers, run in models:
        progress(settings, f"CPU-bound, {name}")
        started = time.perf_counter()
        primes = run()
        seconds = time.perf_counter() - started
        if primes != settings["primes_expected"]:
            sys.exit(
                f"bench.py: {name} counted {primes} primes below {limit}, "
                f"but there are {settings['primes_expected']}"
            )
        baseline = rows[0]["seconds"] if rows else seconds
        rows.append(
            {
                "model": name,
                "workers": workers,
                "primes": primes,
                "seconds": seconds,
                "speedup": baseline / seconds,
            }
        )
    return rows


# I/O-bound ---------------------------------------------------------------


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
    with socket.create_connection(("127.0.0.1", port)) as stream:
        stream.sendall(request.encode())
        reply = stream.makefile("rb").readline().decode()
    check_reply(request, reply)


async def wait_async(kind, port, ident, wait):
    if kind == "sleep":
        await asyncio.sleep(wait)
        return
    request = request_line(ident, wait)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request.encode())
    reply = (await reader.readline()).decode()
    writer.close()
    await writer.wait_closed()
    check_reply(request, reply)


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


def io_asyncio(kind, port, count, wait):
    async def main():
        await asyncio.gather(*(wait_async(kind, port, i, wait) for i in range(count)))

    asyncio.run(main())


def measure_io(settings, port, caps):
    models = [
        ("sequential", lambda kind, n, wait: [wait_blocking(kind, port, i, wait) for i in range(n)]),
        ("threading", lambda kind, n, wait: io_threading(kind, port, n, wait)),
        ("multiprocessing", lambda kind, n, wait: io_multiprocessing(kind, port, n, wait)),
        ("asyncio", lambda kind, n, wait: io_asyncio(kind, port, n, wait)),
    ]
    wait = settings["wait"]
    rows = []
    for kind in ["sleep", "tcp"]:
        for count in settings["io_counts"]:
            for name, run in models:
                ran, note = count, None
                if name == "sequential" and count * wait > settings["io_budget"]:
                    ran = 0
                    note = f"skipped: 1 at a time, {count} waits would take {count * wait:.0f} s"
                elif name in caps and caps[name][0] < count:
                    ran = caps[name][0]
                    note = f"capped at {ran}: {caps[name][1]}"
                seconds = None
                if ran:
                    progress(settings, f"I/O-bound, {kind} x {ran}, {name}")
                    started = time.perf_counter()
                    try:
                        run(kind, ran, wait)
                    except Exception as error:
                        sys.exit(f"bench.py: {kind} with {name}: {error}")
                    seconds = time.perf_counter() - started
                rows.append(
                    {
                        "workload": kind,
                        "model": name,
                        "n": count,
                        "n_run": ran,
                        "seconds": seconds,
                        "note": note,
                    }
                )
    return rows


# Cost per unit -------------------------------------------------------------


def status_kib(path, field):
    with open(path) as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in {path}")


def resident_bytes(pid="self"):
    return status_kib(f"/proc/{pid}/status", "VmRSS:") * 1024


def noop():
    pass


def wait_for(started, release):
    started.wait()
    release.wait()


def measure_cost(settings):
    rows = []

    progress(settings, "cost: threads")
    count = settings["thread_spawns"]
    started = time.perf_counter()
    for _ in range(count):
        thread = threading.Thread(target=noop)
        thread.start()
        thread.join()
    thread_spawn = (time.perf_counter() - started) / count
    alive = settings["threads_alive"]
    barrier = threading.Barrier(alive + 1)
    release = threading.Event()

    def parked():
        barrier.wait()
        release.wait()

    before = resident_bytes()
    threads = [threading.Thread(target=parked) for _ in range(alive)]
    for thread in threads:
        thread.start()
    barrier.wait()
    during = resident_bytes()
    release.set()
    for thread in threads:
        thread.join()
    rows.append(
        {
            "unit": "thread",
            "spawn_join_us": thread_spawn * 1e6,
            "memory_bytes": (during - before) // alive,
            "alive": alive,
        }
    )

    progress(settings, "cost: processes")
    count = settings["process_spawns"]
    started = time.perf_counter()
    for _ in range(count):
        process = multiprocessing.Process(target=noop)
        process.start()
        process.join()
    process_spawn = (time.perf_counter() - started) / count
    alive = settings["processes_alive"]
    started = multiprocessing.Barrier(alive + 1)
    release = multiprocessing.Event()
    processes = [
        multiprocessing.Process(target=wait_for, args=(started, release)) for _ in range(alive)
    ]
    for process in processes:
        process.start()
    started.wait()  # every child is up and waiting now
    rss = sum(resident_bytes(p.pid) for p in processes) // alive
    pss = sum(status_kib(f"/proc/{p.pid}/smaps_rollup", "Pss:") * 1024 for p in processes) // alive
    release.set()
    for process in processes:
        process.join()
    rows.append(
        {
            "unit": "process",
            "spawn_join_us": process_spawn * 1e6,
            "memory_bytes": rss,
            "alive": alive,
            "pss_bytes": pss,
        }
    )

    progress(settings, "cost: asyncio tasks")

    async def tasks():
        count = settings["task_spawns"]
        started = time.perf_counter()
        for _ in range(count):
            await asyncio.create_task(asyncio.sleep(0))
        task_spawn = (time.perf_counter() - started) / count
        alive = settings["tasks_alive"]
        release = asyncio.Event()
        before = resident_bytes()
        waiting = [asyncio.create_task(release.wait()) for _ in range(alive)]
        await asyncio.sleep(0)  # let every task start and block on the event
        during = resident_bytes()
        release.set()
        await asyncio.gather(*waiting)
        return {
            "unit": "asyncio task",
            "spawn_join_us": task_spawn * 1e6,
            "memory_bytes": (during - before) // alive,
            "alive": alive,
        }

    rows.append(asyncio.run(tasks()))
    return rows


# Echo server, when the Rust benchmark does not give us its port ----------


def start_echo_server():
    """A slow echo server on a thread of its own; returns its port."""
    ready = threading.Event()
    port = []

    async def serve(reader, writer):
        line = await reader.readline()
        parts = line.split()
        delay = int(parts[1]) / 1000 if len(parts) > 1 and parts[1].isdigit() else 0
        await asyncio.sleep(delay)
        writer.write(line)
        await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=4096)
        port.append(server.sockets[0].getsockname()[1])
        ready.set()
        await server.serve_forever()

    threading.Thread(target=lambda: asyncio.run(main()), daemon=True).start()
    ready.wait()
    return port[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes (the default)")
    size.add_argument("--full", action="store_true", help="the real measurements")
    parser.add_argument("--echo-port", type=int, help="use this echo server on 127.0.0.1")
    parser.add_argument("--max-processes", type=int, default=1000)
    parser.add_argument("--max-threads", type=int, default=10_000)
    args = parser.parse_args()

    settings = dict(FULL if args.full else QUICK, full=args.full)
    cores = os.cpu_count() or 1
    port = args.echo_port or start_echo_server()
    cpu = measure_cpu(settings, cores)
    cost = measure_cost(settings)
    caps = {
        "multiprocessing": (args.max_processes, "the cap the benchmark passed (--max-processes)"),
        "threading": (args.max_threads, "the cap the benchmark passed (--max-threads)"),
    }
    # A forked child shares most of its pages with the parent: count what it
    # adds (its proportional set size), and use at most a quarter of the
    # memory available.
    pss = next(row["pss_bytes"] for row in cost if row["unit"] == "process")
    budget = status_kib("/proc/meminfo", "MemAvailable:") * 1024 // 4
    if pss > 0 and budget // pss < caps["multiprocessing"][0]:
        caps["multiprocessing"] = (
            budget // pss,
            f"a quarter of MemAvailable ({budget >> 20} MiB) at {pss >> 10} KiB (PSS) per process",
        )
    results = {
        "python": sys.version.split()[0],
        "implementation": sys.implementation.name,
        "settings": {key: value for key, value in settings.items() if key != "full"},
        "cpu": cpu,
        "cost": cost,
        "io": measure_io(settings, port, caps),
    }
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
