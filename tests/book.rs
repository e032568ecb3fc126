//! The book's test harness: every check, one test each, named so that
//! `cargo test -- <listing>` runs exactly the checks of that listing:
//!
//! * `<listing>::run` (and `::run <args>`): the listing's runs and shown
//!   outputs, of skeptic's build of the text the book shows where there is
//!   one (checks/outputs.rs);
//! * `<listing>::skeptic`: skeptic compiles the program as the book shows
//!   it (checks/skeptic.rs);
//! * `<listing>::compile-fail`: a sample that must not compile
//!   (checks/compile_fail.rs);
//! * `<listing>::python`: the Python original beside a listing
//!   (checks/python.rs);
//! * `structure::…`, `render::…`, `appendix::…`, `benchmark::…`,
//!   `figures::…`, `reader::…`, `glossary::…`, `visible-lines::…`: checks
//!   of the whole book;
//! * `harness::…`: the harness's own parsers (checks/harness.rs).
//!
//! libtest-mimic runs them, with libtest's options (`--test-threads`,
//! `--exact`, `--list`, `--ignored`..., and any number of filters, as
//! libtest takes them: common/filters.rs). By default four times as many run
//! at once as there are cores: most of them wait on a child process.
//! The slowest tests of the last run start first (common/schedule.rs).

mod checks;
mod common;

fn main() {
    // skeptic starts this binary as its compiler (common/skeptic_rustc.rs).
    common::skeptic_rustc::act_as_rustc_if_asked();
    common::skeptic_rustc::install(common::listings::workspace_edition());
    let (mut args, filters) = common::filters::arguments_and_filters();
    // Most tests wait on a child process that sleeps, waits on a socket or
    // on another process, so the default is four tests at a time per core;
    // `--test-threads N` (or RUST_TEST_THREADS) says otherwise.
    if args.test_threads.is_none() {
        args.test_threads = std::env::var("RUST_TEST_THREADS")
            .ok()
            .and_then(|n| n.parse().ok())
            .or_else(|| {
                std::thread::available_parallelism()
                    .ok()
                    .map(|n| 4 * n.get())
            });
    }
    // skeptic compiles and runs snippets on its own pool of SKEPTIC_JOBS
    // workers (one per core by default), which would queue the `::skeptic`
    // tests behind one another whatever --test-threads says; give it as
    // many workers as there are test threads.
    if std::env::var_os("SKEPTIC_JOBS").is_none()
        && let Some(threads) = args.test_threads
    {
        // SAFETY: no other thread exists yet to read the environment.
        unsafe { std::env::set_var("SKEPTIC_JOBS", threads.to_string()) };
    }
    // skeptic keeps its compiled programs in a binary cache of 1 GiB by
    // default, least recently used out first. The book's programs, debug
    // builds of a few to forty MiB each, need about twice that: with the
    // default, every run evicted a third of them and compiled them again.
    if std::env::var_os("SKEPTIC_BINARY_CACHE_MB").is_none() {
        // SAFETY: no other thread exists yet to read the environment.
        unsafe { std::env::set_var("SKEPTIC_BINARY_CACHE_MB", "4096") };
    }
    // The order for a first run; later runs start the slowest tests of the
    // run before first (common/schedule.rs). The Python originals come
    // first, since one of them sleeps for five seconds (the guide's asyncio
    // example, unchanged), then the runs, which take longer than the checks
    // of the text.
    let mut trials = Vec::new();
    trials.extend(checks::python::trials());
    trials.extend(checks::outputs::trials());
    trials.extend(checks::skeptic::trials());
    trials.extend(checks::compile_fail::trials());
    trials.extend(checks::unit_tests::trials());
    trials.extend(checks::structure::trials());
    trials.extend(checks::reader::trials());
    trials.extend(checks::linux_only::trials());
    trials.extend(checks::paused_clock::trials());
    trials.extend(checks::render::trials());
    trials.extend(checks::appendix::trials());
    trials.extend(checks::benchmark::trials());
    trials.extend(checks::figures::trials());
    trials.extend(checks::harness::trials());
    trials.extend(checks::visible_lines::trials());
    trials.extend(checks::glossary::trials());
    trials.extend(checks::paths::trials());
    common::filters::select(&mut trials, &filters, args.exact);
    let first: &[&str] = if checks::render::will_render() {
        &[checks::render::RENDER]
    } else {
        &[]
    };
    common::schedule::slowest_first(&mut trials, first);
    let console = common::console::Console::quiet(&mut args);
    let conclusion = libtest_mimic::run(&args, trials);
    console.finish();
    common::skeptic_rustc::uninstall();
    common::schedule::remember_times();
    if std::env::var_os("BOOK_TIMES").is_some() {
        print_slowest_runs();
    }
    conclusion.exit();
}

/// `BOOK_TIMES=1 cargo test`: the slowest program runs, to see where the
/// suite's time goes.
fn print_slowest_runs() {
    let mut times = common::run::TIMES.lock().unwrap().clone();
    times.sort_by_key(|(took, _)| std::cmp::Reverse(*took));
    let total: std::time::Duration = times.iter().map(|(took, _)| *took).sum();
    println!(
        "\n{} program runs, {:.1} s in all; the slowest:",
        times.len(),
        total.as_secs_f64()
    );
    for (took, what) in times.iter().take(20) {
        println!("{:>8.0} ms  {what}", took.as_secs_f64() * 1000.0);
    }
    let mut cpu = common::run::CPU_TIMES.lock().unwrap().clone();
    cpu.sort_by_key(|(took, _)| std::cmp::Reverse(*took));
    let total: std::time::Duration = cpu.iter().map(|(took, _)| *took).sum();
    println!(
        "\nCPU time of the {} listing runs, {:.1} s in all; the largest:",
        cpu.len(),
        total.as_secs_f64()
    );
    for (took, what) in cpu.iter().take(20) {
        println!("{:>8.0} ms  {what}", took.as_secs_f64() * 1000.0);
    }
    // CPU time: the harness's own threads, and the programs it waited for
    // (cargo, rustc, every listing run, skeptic's runs included).
    use nix::sys::resource::{UsageWho, getrusage};
    for (who, name) in [
        (UsageWho::RUSAGE_SELF, "the harness itself"),
        (UsageWho::RUSAGE_CHILDREN, "the programs it ran"),
    ] {
        if let Ok(usage) = getrusage(who) {
            let cpu = usage.user_time() + usage.system_time();
            let seconds = cpu.tv_sec() as f64 + cpu.tv_usec() as f64 / 1e6;
            println!("{seconds:>8.1} s of CPU: {name}");
        }
    }
}
