//! A slow echo server, in a child process of its own (so that its
//! sockets do not count against the client's limit on open files).

use super::*;

/// `wait 100 request 7`: the server sleeps 100 ms, then sends it back.
pub fn request_line(id: usize, wait: Duration) -> String {
    format!("wait {} request {id}\n", wait.as_millis())
}

pub fn check_reply(request: &str, reply: &str) -> Result<(), String> {
    if reply == request {
        Ok(())
    } else {
        Err(format!(
            "wrong echo: sent {request:?}, the server answered {reply:?}"
        ))
    }
}

/// The length of the server's accept queue that it asks `listen` for (the
/// kernel caps it at net.core.somaxconn).
pub const BACKLOG: u32 = 4096;

pub struct EchoServer {
    child: Child,
    pub port: u16,
}

impl EchoServer {
    pub fn start() -> Result<EchoServer, String> {
        let exe = env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
        let mut child = Command::new(exe)
            .env(ROLE_VARIABLE, "echo-server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the echo server: {e}"))?;
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout is piped");
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("the echo server said nothing: {e}"))?;
        let port = line
            .trim()
            .strip_prefix("listening on 127.0.0.1:")
            .and_then(|port| port.parse().ok());
        // Drop stops it again if it did not say where it listens.
        let server = EchoServer {
            child,
            port: port.unwrap_or(0),
        };
        match port {
            Some(_) => Ok(server),
            None => Err(format!("the echo server said {line:?}")),
        }
    }

    /// Closing its stdin tells the server to exit; then reap it.
    pub fn stop(mut self) -> Result<(), String> {
        drop(self.child.stdin.take());
        let status = self.child.wait().map_err(|e| e.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("the echo server ended with {status}"))
        }
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        // Still running only on an error path: do not leave it behind.
        if let Ok(None) = self.child.try_wait() {
            drop(self.child.stdin.take());
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// How long a client or the server waits for the other side beyond the
/// delay asked for, before it gives up with an error.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// The longest request line the server reads.
const MAX_LINE: u64 = 256;

/// One request per connection: read a line, wait, send it back, close.
/// The server closes first, so the connection's TIME_WAIT is kept on the
/// server's side and the client's port is free again at once.
async fn serve(stream: tokio::net::TcpStream) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut line = String::new();
    let mut reader = tokio::io::BufReader::new(tokio::io::AsyncReadExt::take(reader, MAX_LINE));
    tokio::time::timeout(PATIENCE, reader.read_line(&mut line))
        .await
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
    let delay = line
        .split(' ')
        .nth(1)
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(0u64)
        .min(PATIENCE.as_millis() as u64);
    tokio::time::sleep(Duration::from_millis(delay)).await;
    writer.write_all(line.as_bytes()).await?;
    writer.shutdown().await
}

pub fn server_main() -> ExitCode {
    // The benchmark closes our stdin when it is done with us.
    thread::spawn(|| {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("echo server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let served: std::io::Result<()> = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind(([127, 0, 0, 1], 0).into())?;
        // A long accept queue: thousands of clients may connect at once.
        let listener = socket.listen(BACKLOG)?;
        println!("listening on {}", listener.local_addr()?);
        std::io::stdout().flush()?;
        loop {
            let (stream, _) = listener.accept().await?;
            tokio::spawn(async move {
                let _ = serve(stream).await;
            });
        }
    });
    eprintln!("echo server: {served:?}");
    ExitCode::FAILURE
}
