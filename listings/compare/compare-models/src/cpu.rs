//! CPU-bound: count the primes below a limit by trial division.

use super::*;

/// Numbers are dealt to the workers in blocks of this many, round robin,
/// so that each gets as many large (expensive) numbers as the others.
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

// ANCHOR: cpu
/// Counts the primes below `limit` with `workers` workers of `model`.
fn count_primes(
    model: Model,
    workers: u64,
    limit: u64,
    runtimes: &Runtimes,
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
        // rayon splits the blocks among its threads and steals as they go.
        Model::RayonPool => Ok((0..limit.div_ceil(BLOCK))
            .into_par_iter()
            .map(|block| count_block(block, limit))
            .sum()),
        Model::Processes => {
            let children = (0..workers)
                .map(|worker| {
                    worker::Worker::start_with(&format!("primes {worker} {workers} {limit}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut total = 0;
            for child in children {
                let reply = child.finish()?;
                total += reply
                    .parse::<usize>()
                    .map_err(|_| format!("a worker process answered {reply:?}"))?;
            }
            Ok(total)
        }
        // Plain async tasks that compute without ever awaiting: they run
        // in parallel only if the runtime has several worker threads.
        Model::TokioTasks | Model::TokioCurrentThread => {
            runtimes.for_model(model).block_on(async {
                let mut set = JoinSet::new();
                for worker in 0..workers {
                    set.spawn(async move { Ok(share(worker)) });
                }
                Ok(join_all(set).await?.into_iter().sum())
            })
        }
        Model::SpawnBlocking => runtimes.multi_thread.block_on(async {
            let mut set = JoinSet::new();
            for worker in 0..workers {
                set.spawn_blocking(move || Ok(share(worker)));
            }
            Ok(join_all(set).await?.into_iter().sum())
        }),
    }
}
// ANCHOR_END: cpu

pub struct Row {
    pub model: Model,
    pub workers: u64,
    pub samples: Vec<Duration>,
    pub primes: usize,
    /// The median sample.
    pub time: Duration,
    /// Sequential time over this model's time.
    pub speedup: f64,
}

impl Row {
    pub fn to_json(&self) -> Value {
        json!({
            "model": self.model.name(),
            "workers": self.workers,
            "primes": self.primes,
            "seconds": self.time.as_secs_f64(),
            "samples_s": self.samples.iter().map(Duration::as_secs_f64).collect::<Vec<_>>(),
            "speedup": self.speedup,
        })
    }
}

pub fn measure(settings: &Settings, cores: usize, runtimes: &Runtimes) -> Result<Vec<Row>, String> {
    let mut rows: Vec<Row> = Vec::new();
    // One unmeasured run first: the first pass over the numbers pays for
    // cold caches and a CPU still clocking up.
    count_primes(Model::Sequential, 1, settings.prime_limit, runtimes)?;
    for model in Model::ALL {
        let workers = if model == Model::Sequential {
            1
        } else {
            cores as u64
        };
        let mut samples = Vec::new();
        for repetition in 1..=settings.cpu_repetitions {
            settings.progress(&format!(
                "CPU-bound, {}: run {repetition} of {}",
                model.name(),
                settings.cpu_repetitions
            ));
            let started = Instant::now();
            let primes = count_primes(model, workers, settings.prime_limit, runtimes)?;
            samples.push(started.elapsed());
            // The answer is known: a wrong count is a bug, not a result.
            if primes != settings.primes_expected {
                return Err(format!(
                    "{} counted {primes} primes below {}, but there are {}",
                    model.name(),
                    settings.prime_limit,
                    settings.primes_expected
                ));
            }
        }
        let mut sorted = samples.clone();
        sorted.sort();
        let time = sorted[sorted.len() / 2];
        let baseline = rows.first().map_or(time, |row| row.time);
        rows.push(Row {
            model,
            workers,
            samples,
            primes: settings.primes_expected,
            time,
            speedup: baseline.as_secs_f64() / time.as_secs_f64(),
        });
    }
    Ok(rows)
}
