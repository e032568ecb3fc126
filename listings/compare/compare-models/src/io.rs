//! I/O-bound: many waits at once, on a timer or on a slow echo server.

use super::*;

#[derive(Clone, Copy)]
pub enum Wait {
    /// Sleep on a timer.
    Sleep,
    /// One request to the echo server, which answers after the delay.
    Request { port: u16 },
}

impl Wait {
    pub fn name(self) -> &'static str {
        match self {
            Wait::Sleep => "sleep",
            Wait::Request { .. } => "tcp",
        }
    }
}

/// Wait number `id`, blocking the calling thread.
pub fn wait_blocking(kind: Wait, id: usize, wait: Duration) -> Result<(), String> {
    match kind {
        Wait::Sleep => {
            thread::sleep(wait);
            Ok(())
        }
        Wait::Request { port } => {
            let request = echo::request_line(id, wait);
            let server = std::net::SocketAddr::from(([127, 0, 0, 1], port));
            let mut stream = TcpStream::connect_timeout(&server, echo::PATIENCE)
                .map_err(|e| format!("request {id}: cannot connect: {e}"))?;
            // A stalled server ends the run with an error, not a hang.
            stream
                .set_read_timeout(Some(wait + echo::PATIENCE))
                .map_err(|e| format!("request {id}: {e}"))?;
            stream
                .write_all(request.as_bytes())
                .map_err(|e| format!("request {id}: cannot send: {e}"))?;
            let mut reply = String::new();
            let mut reader = BufReader::new(stream);
            reader
                .read_line(&mut reply)
                .map_err(|e| format!("request {id}: no answer: {e}"))?;
            // The server closes first; reading to its end of file before
            // closing leaves TIME_WAIT on the server's side (see echo.rs).
            reader
                .read_to_end(&mut Vec::new())
                .map_err(|e| format!("request {id}: no end of file: {e}"))?;
            echo::check_reply(&request, &reply)
        }
    }
}

/// Wait number `id`, yielding to the runtime while it waits.
pub async fn wait_async(kind: Wait, id: usize, wait: Duration) -> Result<(), String> {
    match kind {
        Wait::Sleep => {
            tokio::time::sleep(wait).await;
            Ok(())
        }
        Wait::Request { port } => {
            let request = echo::request_line(id, wait);
            let exchange = async {
                let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .map_err(|e| format!("request {id}: cannot connect: {e}"))?;
                stream
                    .write_all(request.as_bytes())
                    .await
                    .map_err(|e| format!("request {id}: cannot send: {e}"))?;
                let mut reply = String::new();
                let mut reader = tokio::io::BufReader::new(stream);
                reader
                    .read_line(&mut reply)
                    .await
                    .map_err(|e| format!("request {id}: no answer: {e}"))?;
                // As in wait_blocking: the server closes first.
                tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut Vec::new())
                    .await
                    .map_err(|e| format!("request {id}: no end of file: {e}"))?;
                Ok::<String, String>(reply)
            };
            let reply = tokio::time::timeout(wait + echo::PATIENCE, exchange)
                .await
                .map_err(|_| {
                    format!("request {id}: no answer within {:?}", wait + echo::PATIENCE)
                })??;
            echo::check_reply(&request, &reply)
        }
    }
}

/// Runs `count` waits at once (as far as `model` allows), on runtimes
/// built before the clock started.
fn run_waits(
    model: Model,
    kind: Wait,
    count: usize,
    wait: Duration,
    runtimes: &Runtimes,
) -> Result<(), String> {
    match model {
        Model::Sequential => (0..count).try_for_each(|id| wait_blocking(kind, id, wait)),
        Model::Threads => thread::scope(|scope| {
            let mut handles = Vec::with_capacity(count);
            for id in 0..count {
                let handle = thread::Builder::new()
                    .spawn_scoped(scope, move || wait_blocking(kind, id, wait))
                    .map_err(|e| format!("cannot start thread {id}: {e}"))?;
                handles.push(handle);
            }
            for handle in handles {
                handle
                    .join()
                    .map_err(|_| "a thread panicked".to_string())??;
            }
            Ok(())
        }),
        // Only as many waits at a time as the pool has threads.
        Model::RayonPool => runtimes.rayon.install(|| {
            (0..count)
                .into_par_iter()
                .try_for_each(|id| wait_blocking(kind, id, wait))
        }),
        Model::Processes => {
            let command = |id| match kind {
                Wait::Sleep => format!("sleep {}", wait.as_millis()),
                Wait::Request { port } => format!("request {port} {id} {}", wait.as_millis()),
            };
            let children = (0..count)
                .map(|id| worker::Worker::start_with(&command(id)))
                .collect::<Result<Vec<_>, _>>()?;
            for child in children {
                let reply = child.finish()?;
                if reply != "done" {
                    return Err(format!("a worker process failed: {reply}"));
                }
            }
            Ok(())
        }
        Model::TokioTasks | Model::TokioCurrentThread => {
            runtimes.for_model(model).block_on(async {
                let mut set = JoinSet::new();
                for id in 0..count {
                    set.spawn(wait_async(kind, id, wait));
                }
                join_all(set).await.map(drop)
            })
        }
        // Blocking calls on tokio's blocking pool (up to 512 threads).
        Model::SpawnBlocking => runtimes.multi_thread.block_on(async {
            let mut set = JoinSet::new();
            for id in 0..count {
                set.spawn_blocking(move || wait_blocking(kind, id, wait));
            }
            join_all(set).await.map(drop)
        }),
    }
}

/// Counters of the kernel's TCP stack (the `TcpExt` lines of
/// /proc/net/netstat), which count for the whole network namespace.
#[derive(Clone, Copy)]
pub struct TcpCounters {
    /// SYNs dropped because a listening socket's accept queue was full.
    pub listen_overflows: u64,
    /// SYNs (and SYN-ACKs) sent again after no answer came in time.
    pub syn_retransmits: u64,
    /// Sockets in TIME_WAIT when the sample started (the `tw` field of
    /// /proc/net/sockstat): what the runs before left behind.
    pub time_wait_before: u64,
}

/// The number of TCP sockets in TIME_WAIT now, from /proc/net/sockstat.
pub fn time_wait() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/sockstat").ok()?;
    let line = text.lines().find(|line| line.starts_with("TCP:"))?;
    let mut fields = line.split_whitespace();
    fields.find(|field| *field == "tw")?;
    fields.next()?.parse().ok()
}

impl TcpCounters {
    pub fn read() -> Option<TcpCounters> {
        let text = std::fs::read_to_string("/proc/net/netstat").ok()?;
        let mut lines = text.lines().filter(|line| line.starts_with("TcpExt:"));
        let (names, values) = (lines.next()?, lines.next()?);
        let field = |name: &str| {
            let mut pairs = names.split_whitespace().zip(values.split_whitespace());
            pairs.find(|(n, _)| *n == name)?.1.parse().ok()
        };
        Some(TcpCounters {
            listen_overflows: field("ListenOverflows")?,
            syn_retransmits: field("TCPSynRetrans")?,
            time_wait_before: time_wait()?,
        })
    }

    /// How much each counter grew since `before`.
    fn since(self, before: TcpCounters) -> TcpCounters {
        TcpCounters {
            listen_overflows: self
                .listen_overflows
                .saturating_sub(before.listen_overflows),
            syn_retransmits: self.syn_retransmits.saturating_sub(before.syn_retransmits),
            time_wait_before: before.time_wait_before,
        }
    }
}

pub struct Row {
    pub workload: &'static str,
    pub model: Model,
    /// The number of waits asked for...
    pub count: usize,
    /// ...and the number run: fewer where the system would refuse.
    pub ran: usize,
    /// Wall time of each sample, in seconds; none if skipped, for `note`.
    pub time: Spread,
    pub note: Option<String>,
    /// For requests: the growth of the TCP counters during each sample.
    pub tcp: Option<Vec<TcpCounters>>,
}

impl Row {
    pub fn to_result(&self) -> results::IoRow {
        let tcp = self.tcp.as_ref().map(|samples| results::TcpSamples {
            listen_overflows: samples.iter().map(|c| c.listen_overflows).collect(),
            syn_retransmits: samples.iter().map(|c| c.syn_retransmits).collect(),
            time_wait_before: samples.iter().map(|c| Some(c.time_wait_before)).collect(),
        });
        results::IoRow {
            model: self.model.name().to_string(),
            n: self.count as u64,
            n_run: self.ran as u64,
            note: self.note.clone(),
            tcp,
            time: (self.ran > 0).then(|| self.time.seconds()),
            workload: self.workload.to_string(),
        }
    }
}

/// How many waits `model` may run at once, and why not more.
fn plan(
    model: Model,
    kind: Wait,
    count: usize,
    settings: &Settings,
    cores: usize,
    limits: &limits::Limits,
) -> (usize, Option<String>) {
    // At most this many waits are in progress at a time.
    let at_once = match model {
        Model::Sequential => 1,
        Model::RayonPool => cores,
        Model::SpawnBlocking => limits::BLOCKING_THREADS,
        _ => count,
    };
    let rounds = count.div_ceil(at_once) as u32;
    if settings.wait * rounds > settings.io_budget {
        let reason = format!(
            "skipped: {at_once} at a time, {count} waits would take {} s",
            (settings.wait * rounds).as_secs()
        );
        return (0, Some(reason));
    }
    let cap = match (model, kind) {
        (Model::Threads, Wait::Sleep) => Some(&limits.threads),
        (Model::Threads, Wait::Request { .. }) => Some(limits.threads.min(&limits.sockets)),
        (Model::Processes, _) => Some(&limits.processes),
        (Model::TokioTasks | Model::TokioCurrentThread, Wait::Request { .. }) => {
            Some(&limits.sockets)
        }
        _ => None,
    };
    match cap {
        Some(cap) if cap.max < count => (
            cap.max,
            Some(format!(
                "capped at {} ({})",
                tables::count(cap.max as f64),
                cap.reason
            )),
        ),
        _ => (count, None),
    }
}

pub fn measure(
    settings: &Settings,
    cores: usize,
    limits: &limits::Limits,
) -> Result<Vec<Row>, String> {
    let server = echo::EchoServer::start()?;
    let kinds = [Wait::Sleep, Wait::Request { port: server.port }];
    // Where the counters cannot be read, requests record none.
    let counted = TcpCounters::read().is_some();
    let mut rows = Vec::new();
    for kind in kinds {
        for &count in &settings.io_counts {
            for model in Model::ALL {
                let (ran, note) = plan(model, kind, count, settings, cores, limits);
                let tcp = (counted && matches!(kind, Wait::Request { .. })).then(Vec::new);
                rows.push(Row {
                    workload: kind.name(),
                    model,
                    count,
                    ran,
                    time: Spread::default(),
                    note,
                    tcp: if ran > 0 { tcp } else { None },
                });
            }
        }
    }
    // One unmeasured round of the fewest sleeps for every model that runs
    // them all at once: the first run of a model pays for cold caches,
    // libraries not yet paged in and the first threads and processes.
    for model in Model::ALL {
        if matches!(model, Model::Sequential | Model::RayonPool) {
            continue;
        }
        let count = settings.io_counts.first().copied().unwrap_or(1);
        let runtimes = Runtimes::new(cores)?;
        run_waits(model, Wait::Sleep, count, settings.wait, &runtimes)
            .map_err(|e| format!("warming up {}: {e}", model.name()))?;
    }
    for repetition in 0..settings.repetitions {
        for kind in kinds {
            for &count in &settings.io_counts {
                // The order is balanced over the models that run at this
                // size: a skipped model must not leave a gap in it.
                let running: Vec<Model> = Model::ALL
                    .into_iter()
                    .filter(|&model| {
                        rows.iter().any(|r| {
                            r.workload == kind.name()
                                && r.count == count
                                && r.model == model
                                && r.ran > 0
                        })
                    })
                    .collect();
                for model in order(&running, repetition) {
                    let row = rows
                        .iter_mut()
                        .find(|r| r.workload == kind.name() && r.count == count && r.model == model)
                        .expect("every row was planned");
                    if row.ran > 0 {
                        settings.progress(&format!(
                            "I/O-bound, {} x {}, {}: sample {} of {}",
                            kind.name(),
                            row.ran,
                            model.name(),
                            repetition + 1,
                            settings.repetitions
                        ));
                        sample(settings, cores, kind, row)?;
                        models::record(
                            &format!("io {} {count}", kind.name()),
                            repetition,
                            model.name(),
                        );
                    }
                }
            }
        }
    }
    server.stop()?;
    Ok(rows)
}

/// One timed run of a row's waits; its runtimes are built before the clock.
fn sample(settings: &Settings, cores: usize, kind: Wait, row: &mut Row) -> Result<(), String> {
    let before = TcpCounters::read();
    let (elapsed, ()) = time_after(
        || Runtimes::new(cores),
        |runtimes| run_waits(row.model, kind, row.ran, settings.wait, runtimes),
    )
    .map_err(|e| format!("{} with {}: {e}", kind.name(), row.model.name()))?;
    row.time.push(elapsed.as_secs_f64());
    if let (Some(samples), Some(before), Some(after)) = (&mut row.tcp, before, TcpCounters::read())
    {
        samples.push(after.since(before));
    }
    Ok(())
}
