//! CPU-bound: count the primes below a limit by trial division.

use super::*;

/// The numbers are split in blocks of this many. Threads, processes and
/// tasks each take every n-th block (a fixed split, round robin), so that
/// each gets as many large, expensive numbers as the others; rayon splits
/// the blocks itself.
const BLOCK: u64 = 1_000;

fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    let mut divisor = 2;
    while divisor * divisor <= n {
        if n.is_multiple_of(divisor) {
            return false;
        }
        divisor += 1;
    }
    true
}

pub fn count_block(block: u64, limit: u64) -> usize {
    let start = block * BLOCK;
    (start..(start + BLOCK).min(limit))
        .filter(|&n| is_prime(n))
        .count()
}

/// The primes in worker `worker`'s share: blocks worker, worker +
/// workers, worker + 2 * workers...
pub fn count_share(worker: u64, workers: u64, limit: u64) -> usize {
    (worker..limit.div_ceil(BLOCK))
        .step_by(workers as usize)
        .map(|block| count_block(block, limit))
        .sum()
}

/// What a model needs before the clock starts: its runtimes and pool,
/// and, for the processes model, its worker processes, started and idle
/// (as a `multiprocessing.Pool` is before its `map`).
pub struct Ready {
    runtimes: Runtimes,
    processes: Vec<worker::Worker>,
}

impl Ready {
    fn new(model: Model, workers: usize) -> Result<Ready, String> {
        let processes = if model == Model::Processes {
            (0..workers)
                .map(|_| worker::Worker::start_ready())
                .collect::<Result<_, _>>()?
        } else {
            Vec::new()
        };
        Ok(Ready {
            runtimes: Runtimes::new(workers)?,
            processes,
        })
    }
}

// ANCHOR: cpu
/// Counts the primes below `limit` with `workers` workers of `model`.
fn count_primes(
    model: Model,
    workers: u64,
    limit: u64,
    ready: &mut Ready,
) -> Result<usize, String> {
    let share = move |worker| count_share(worker, workers, limit);
    match model {
        Model::Sequential => Ok(count_share(0, 1, limit)),
        Model::Threads => thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|worker| scope.spawn(move || share(worker)))
                .collect();
            let counts = handles.into_iter().map(|handle| handle.join());
            counts
                .sum::<Result<usize, _>>()
                .map_err(|_| "a thread panicked".to_string())
        }),
        // rayon splits the range of blocks in halves, and the halves again,
        // as its threads become free to take them: a thread that runs out of
        // work steals a half that another has not started. A piece already
        // running cannot be split or taken, so the pieces go down to single
        // blocks (`with_max_len(1)`): otherwise one thread could be left
        // alone at the end with a long piece of the expensive top blocks.
        Model::RayonPool => Ok(ready.runtimes.rayon.install(|| {
            (0..limit.div_ceil(BLOCK) as usize)
                .into_par_iter()
                .with_max_len(1)
                .map(|block| count_block(block as u64, limit))
                .sum()
        })),
        // ANCHOR_END: cpu
        // ANCHOR: cpu_others
        // Worker processes that were started before the clock: each is
        // sent its share, counts it and answers with its count.
        Model::Processes => {
            for (worker, process) in ready.processes.iter_mut().enumerate() {
                process.send(&format!("primes {worker} {workers} {limit}"))?;
            }
            let mut total = 0;
            for process in &mut ready.processes {
                let reply = process.reply()?;
                total += reply
                    .parse::<usize>()
                    .map_err(|_| format!("a worker process answered {reply:?}"))?;
            }
            Ok(total)
        }
        // Plain async tasks that compute without ever awaiting: they run
        // in parallel only if the runtime has several worker threads.
        Model::TokioTasks | Model::TokioCurrentThread => {
            ready.runtimes.for_model(model).block_on(async {
                let mut set = JoinSet::new();
                for worker in 0..workers {
                    set.spawn(async move { Ok(share(worker)) });
                }
                Ok(join_all(set).await?.into_iter().sum())
            })
        }
        Model::SpawnBlocking => ready.runtimes.multi_thread.block_on(async {
            let mut set = JoinSet::new();
            for worker in 0..workers {
                set.spawn_blocking(move || Ok(share(worker)));
            }
            Ok(join_all(set).await?.into_iter().sum())
        }),
    }
}
// ANCHOR_END: cpu_others

/// One model's figure at the full number of workers.
pub struct Row {
    pub model: Model,
    pub workers: usize,
    pub primes: usize,
    /// Wall time, in seconds.
    pub time: Spread,
    /// The sequential median over this model's median.
    pub speedup: f64,
}

impl Row {
    pub fn to_result(&self) -> results::CpuRow {
        results::CpuRow {
            model: self.model.name().to_string(),
            primes: self.primes as u64,
            speedup: self.speedup,
            time: self.time.seconds(),
            workers: self.workers as u32,
        }
    }
}

/// One model's speedup with 1, 2, ... workers.
pub struct Curve {
    pub model: Model,
    pub points: Vec<(usize, Spread, f64)>,
}

impl Curve {
    pub fn to_result(&self) -> results::Curve {
        let points = self
            .points
            .iter()
            .map(|(workers, time, speedup)| results::Point {
                speedup: *speedup,
                time: time.seconds(),
                workers: *workers as u32,
            })
            .collect();
        results::Curve {
            model: self.model.name().to_string(),
            points,
        }
    }
}

/// One timed count; set-up (runtimes, worker processes) is not timed.
fn sample(settings: &Settings, model: Model, workers: usize) -> Result<(f64, usize), String> {
    let limit = settings.prime_limit;
    let (elapsed, primes) = time_after(
        || Ready::new(model, workers),
        |ready| count_primes(model, workers as u64, limit, ready),
    )?;
    // The answer is known: a wrong count is a bug, not a result.
    if primes != settings.primes_expected {
        return Err(format!(
            "{} counted {primes} primes below {limit}, but there are {}",
            model.name(),
            settings.primes_expected
        ));
    }
    Ok((elapsed.as_secs_f64(), primes))
}

/// Samples of every model in `models` with `workers` workers (sequential:
/// one), the models in a new order each repetition.
/// Also returns each model's count of primes (the same in every sample: a
/// wrong one ends the run).
fn samples(
    settings: &Settings,
    models: &[Model],
    workers: usize,
) -> Result<(Vec<Spread>, Vec<usize>), String> {
    let mut spreads = vec![Spread::default(); models.len()];
    let mut counted = vec![0; models.len()];
    let group = format!("cpu {workers} workers");
    for repetition in 0..settings.repetitions {
        for model in order(models, repetition) {
            settings.progress(&format!(
                "CPU-bound, {} with {workers} workers: sample {} of {}",
                model.name(),
                repetition + 1,
                settings.repetitions
            ));
            let workers = if model == Model::Sequential {
                1
            } else {
                workers
            };
            let index = models.iter().position(|m| *m == model).unwrap_or(0);
            let (seconds, primes) = sample(settings, model, workers)?;
            spreads[index].push(seconds);
            counted[index] = primes;
            models::record(&group, repetition, model.name());
        }
    }
    Ok((spreads, counted))
}

/// The table at `cores` workers, and the scaling curve from 1 worker up.
pub fn measure(settings: &Settings, cores: usize) -> Result<(Vec<Row>, Vec<Curve>), String> {
    // One unmeasured run first: the first pass over the numbers pays for
    // cold caches and a CPU still clocking up. black_box keeps the
    // optimizer from dropping a count whose answer nothing reads.
    std::hint::black_box(count_share(0, 1, settings.prime_limit));
    let (spreads, counted) = samples(settings, &Model::ALL, cores)?;
    let baseline = spreads[0].median();
    let rows: Vec<Row> = Model::ALL
        .into_iter()
        .zip(spreads)
        .zip(counted)
        .map(|((model, time), primes)| Row {
            model,
            workers: if model == Model::Sequential { 1 } else { cores },
            primes,
            speedup: baseline / time.median(),
            time,
        })
        .collect();
    let mut curves: Vec<Curve> = Model::SCALABLE
        .into_iter()
        .map(|model| Curve {
            model,
            points: Vec::new(),
        })
        .collect();
    // Fewer workers than cores, then the table's own figure at `cores`.
    for workers in 1..cores {
        let (spreads, _) = samples(settings, &Model::SCALABLE, workers)?;
        for (curve, time) in curves.iter_mut().zip(spreads) {
            let speedup = baseline / time.median();
            curve.points.push((workers, time, speedup));
        }
    }
    for curve in &mut curves {
        if let Some(row) = rows.iter().find(|row| row.model == curve.model) {
            curve.points.push((cores, row.time.clone(), row.speedup));
        }
    }
    Ok((rows, curves))
}
