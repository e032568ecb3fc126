//! A worker process: this program started again with ROLE_VARIABLE set.
//! It reads one command per line on stdin and answers one line on
//! stdout, until its stdin is closed.

use super::*;

/// The longest a worker may take over one answer: far more than any
/// measured piece of work needs.
const WORKER_PATIENCE: Duration = Duration::from_secs(600);

pub struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    pub fn start() -> Result<Worker, String> {
        let exe = env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
        let mut child = Command::new(exe)
            .env(ROLE_VARIABLE, "worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start a worker process: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Ok(Worker {
            child,
            stdin,
            stdout,
        })
    }

    /// Starts a worker, gives it one command and closes its stdin: it
    /// answers, then exits.
    pub fn start_with(command: &str) -> Result<Worker, String> {
        let mut worker = Worker::start()?;
        worker.send(command)?;
        drop(worker.stdin.take());
        Ok(worker)
    }

    pub fn send(&mut self, command: &str) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("the worker's stdin is closed")?;
        writeln!(stdin, "{command}").map_err(|e| format!("cannot write to a worker: {e}"))
    }

    pub fn reply(&mut self) -> Result<String, String> {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        use std::os::fd::AsFd;
        // A worker that stalls ends the run with an error, not a hang.
        if self.stdout.buffer().is_empty() {
            let stdout = self.stdout.get_ref().as_fd();
            let timeout = PollTimeout::try_from(WORKER_PATIENCE).unwrap_or(PollTimeout::MAX);
            let ready = poll(&mut [PollFd::new(stdout, PollFlags::POLLIN)], timeout)
                .map_err(|e| format!("cannot wait for a worker: {e}"))?;
            if ready == 0 {
                return Err(format!(
                    "a worker process did not answer within {} s",
                    WORKER_PATIENCE.as_secs()
                ));
            }
        }
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|e| format!("cannot read from a worker: {e}"))?;
        Ok(line.trim_end().to_string())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Reads its (last) answer and waits for it to exit.
    pub fn finish(mut self) -> Result<String, String> {
        drop(self.stdin.take());
        let reply = self.reply()?;
        self.close()?;
        Ok(reply)
    }

    /// Closes its stdin, so that it exits, and waits for it.
    pub fn close(mut self) -> Result<(), String> {
        drop(self.stdin.take());
        let status = self.child.wait().map_err(|e| e.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("a worker process ended with {status}"))
        }
    }

    /// Starts a worker and waits until it has answered once: up and idle.
    pub fn start_ready() -> Result<Worker, String> {
        let mut worker = Worker::start()?;
        worker.send("ready")?;
        match worker.reply()?.as_str() {
            "ready" => Ok(worker),
            other => Err(format!("a worker process answered {other:?}")),
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // After finish() this finds it gone; on an error path it reaps it.
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

fn answer(command: &str) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    let number = |i: usize| words.get(i).and_then(|w| w.parse::<u64>().ok());
    match (words.first().copied(), number(1), number(2), number(3)) {
        (Some("primes"), Some(worker), Some(workers), Some(limit)) => {
            cpu::count_share(worker, workers, limit).to_string()
        }
        (Some("sleep"), Some(ms), _, _) => {
            thread::sleep(Duration::from_millis(ms));
            "done".to_string()
        }
        (Some("request"), Some(port), Some(id), Some(ms)) => {
            let kind = io::Wait::Request { port: port as u16 };
            match io::wait_blocking(kind, id as usize, Duration::from_millis(ms)) {
                Ok(()) => "done".to_string(),
                Err(e) => e,
            }
        }
        (Some("ready"), _, _, _) => "ready".to_string(),
        (Some("thread-memory"), Some(count), _, _) => {
            cost::thread_memory(count as usize).map_or_else(|e| e, |bytes| bytes.to_string())
        }
        (Some("task-memory"), Some(count), Some(workers), _) => Runtimes::new(workers as usize)
            .and_then(|runtimes| cost::task_memory(count as usize, &runtimes.multi_thread))
            .map_or_else(|e| e, |bytes| bytes.to_string()),
        _ => format!("unknown command {command:?}"),
    }
}

pub fn main() -> ExitCode {
    let mut stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if writeln!(stdout, "{}", answer(&line))
            .and_then(|()| stdout.flush())
            .is_err()
        {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
