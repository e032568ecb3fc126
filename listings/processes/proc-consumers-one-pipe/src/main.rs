use std::error::Error;
use std::io::{self, PipeReader, PipeWriter, Read, Write};
use std::process;
use std::thread;

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};

const CONSUMERS: usize = 3;
const TASKS: u64 = 12;
const CHUNK: u64 = 5_000;
/// The number of primes below 60,000, to check the consumers' answers.
const PRIMES_BELOW_LIMIT: u64 = 6_057;

fn count_primes(start: u64, end: u64) -> u64 {
    let is_prime = |n: u64| {
        n >= 2
            && (2..)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
    };
    (start..end).filter(|&n| is_prime(n)).count() as u64
}

// ANCHOR: queue
/// The longest message: with its 4-byte length, a frame fits in 512 bytes,
/// the least `PIPE_BUF` that POSIX allows.
const MAX_MESSAGE: usize = 512 - 4;

/// Puts one message, its length in 4 bytes and then its bytes, in one
/// write: producers need no lock, since a frame fits in `PIPE_BUF`.
fn put(pipe: &mut PipeWriter, message: &[u8]) -> io::Result<()> {
    if message.len() > MAX_MESSAGE {
        return Err(io::Error::other("the message is longer than MAX_MESSAGE"));
    }
    let mut frame = (message.len() as u32).to_be_bytes().to_vec(); // it fits
    frame.extend_from_slice(message);
    pipe.write_all(&frame)
}

/// The reading side of a queue that several processes share. A message
/// takes two reads, so a reader holds a lock across them: a pipe that
/// holds one byte while the lock is free.
struct Consumer {
    messages: PipeReader,
    lock: PipeReader,
    unlock: PipeWriter,
}

impl Consumer {
    /// The next message, or `None` at the end of the pipe.
    fn get(&mut self) -> io::Result<Option<Vec<u8>>> {
        self.lock.read_exact(&mut [0])?; // waits while another reader holds it
        let message = read_message(&mut self.messages);
        self.unlock.write_all(b"+")?; // on every path, before `?` on the message
        message
    }
}
// ANCHOR_END: queue

// ANCHOR: read
fn read_message(pipe: &mut PipeReader) -> io::Result<Option<Vec<u8>>> {
    let mut length = [0; 4];
    if pipe.read(&mut length[..1])? == 0 {
        return Ok(None); // every writer has closed the pipe
    }
    pipe.read_exact(&mut length[1..])?;
    let length = u32::from_be_bytes(length) as usize;
    if length > MAX_MESSAGE {
        // The length is the writer's claim: checked before allocating.
        let error = format!("a message of {length} bytes; the limit is {MAX_MESSAGE}");
        return Err(io::Error::new(io::ErrorKind::InvalidData, error));
    }
    let mut message = vec![0; length];
    pipe.read_exact(&mut message)?;
    Ok(Some(message))
}
// ANCHOR_END: read

// ANCHOR: consume
/// A consumer process: takes tasks until the queue ends, and writes one
/// answer line per task (a short line is one atomic write).
fn consume(queue: &mut Consumer, answers: &mut PipeWriter) -> Result<(), Box<dyn Error>> {
    while let Some(task) = queue.get()? {
        let task = String::from_utf8(task)?;
        let (start, end) = task.split_once(' ').ok_or("bad task")?;
        let primes = count_primes(start.parse()?, end.parse()?);
        answers.write_all(format!("{task} {primes}\n").as_bytes())?;
    }
    Ok(())
}
// ANCHOR_END: consume

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    let (messages, mut tasks) = io::pipe()?;
    let (lock, mut unlock) = io::pipe()?;
    unlock.write_all(b"+")?; // the lock starts free
    let mut queue = Consumer {
        messages,
        lock,
        unlock,
    };
    let (mut answers, mut answer) = io::pipe()?;
    let mut consumers: Vec<Pid> = Vec::new();
    let mut forked = Ok(());
    for _ in 0..CONSUMERS {
        // SAFETY: no thread has been started yet: one thread runs here.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                drop(tasks); // else this consumer would never see the end
                if let Err(e) = consume(&mut queue, &mut answer) {
                    eprintln!("consumer {}: {e}", process::id());
                    process::exit(1);
                }
                process::exit(0);
            }
            Ok(ForkResult::Parent { child }) => consumers.push(child),
            Err(e) => {
                forked = Err(e);
                break;
            }
        }
    }
    // ANCHOR_END: main
    // ANCHOR: answers
    drop(answer); // the answers end when the last consumer exits
    // The parent consumes nothing. Without its read end, a put to
    // consumers that all died fails with a broken pipe, not a wait.
    drop(queue);
    // A thread puts the tasks while main reads the answers, so that
    // neither pipe can fill up and stop both sides.
    let putter = thread::spawn(move || -> io::Result<()> {
        for id in 0..TASKS {
            put(
                &mut tasks,
                format!("{} {}", id * CHUNK, (id + 1) * CHUNK).as_bytes(),
            )?;
        }
        Ok(()) // `tasks` is dropped: the end of the queue, for every consumer
    });
    let mut text = String::new();
    let read = answers.read_to_string(&mut text);
    let sent = putter.join().expect("the putter thread panicked");
    let statuses: Vec<_> = consumers.iter().map(|&c| waitpid(c, None)).collect();
    forked?;
    sent?;
    read?;
    print_answers(&text, &statuses)
}
// ANCHOR_END: answers

/// Prints the answers in task order, and checks them.
fn print_answers(text: &str, statuses: &[nix::Result<WaitStatus>]) -> Result<(), Box<dyn Error>> {
    let mut answers: Vec<[u64; 3]> = text.lines().map(parse_answer).collect::<Result<_, _>>()?;
    answers.sort();
    println!(
        "{CONSUMERS} consumers took {} tasks from one pipe:",
        answers.len()
    );
    for row in answers.chunks(4) {
        let cells: Vec<String> = row
            .iter()
            .map(|[s, e, n]| format!("{s}..{e}: {n}"))
            .collect();
        println!("  {}", cells.join(", "));
    }
    check(statuses, &answers)
}

/// An answer line, "start end primes".
fn parse_answer(line: &str) -> Result<[u64; 3], Box<dyn Error>> {
    let fields: Vec<u64> = line.split(' ').map(str::parse).collect::<Result<_, _>>()?;
    fields[..]
        .try_into()
        .map_err(|_| format!("bad answer {line:?}").into())
}

/// Every consumer succeeded, every task came back once, and the counts add
/// up to the known number of primes.
fn check(statuses: &[nix::Result<WaitStatus>], answers: &[[u64; 3]]) -> Result<(), Box<dyn Error>> {
    for status in statuses {
        if !matches!(status, Ok(WaitStatus::Exited(_, 0))) {
            return Err(format!("a consumer failed: {status:?}").into());
        }
    }
    let ranges: Vec<[u64; 2]> = answers.iter().map(|&[s, e, _]| [s, e]).collect();
    let expected: Vec<[u64; 2]> = (0..TASKS)
        .map(|id| [id * CHUNK, (id + 1) * CHUNK])
        .collect();
    let total: u64 = answers.iter().map(|&[_, _, n]| n).sum();
    if ranges != expected || total != PRIMES_BELOW_LIMIT {
        return Err(format!("tasks {ranges:?} gave {total} primes").into());
    }
    Ok(())
}
