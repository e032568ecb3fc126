use std::env;
use std::error::Error;
use std::fs;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::process::{self, Command};

// ANCHOR: server
/// Holds the socket's path in the environment of the client process.
const SOCKET_VARIABLE: &str = "PLAIN_PRICE_SOCKET";

fn main() -> Result<(), Box<dyn Error>> {
    if let Some(socket) = env::var_os(SOCKET_VARIABLE) {
        return client(Path::new(&socket));
    }
    let dir = env::temp_dir().join(format!("proc-plain-socket-server-{}", process::id()));
    fs::create_dir(&dir)?;
    let socket = dir.join("prices.sock");
    let listener = UnixListener::bind(&socket)?;
    let mut client = Command::new(env::current_exe()?)
        .env(SOCKET_VARIABLE, &socket)
        .spawn()?;
    // `serve` owns the listener: it and the connection close when `serve`
    // returns, even after an error. A client still waiting for an answer
    // then gets the end or an error, so waiting for it cannot hang.
    let served = serve(listener);
    let status = client.wait()?;
    fs::remove_dir_all(&dir)?; // bind made a file: remove it
    served?;
    println!("server: the client ended: {status}");
    Ok(())
}

/// Accept one client and answer each line until it hangs up.
fn serve(listener: UnixListener) -> io::Result<()> {
    let (stream, _address) = listener.accept()?;
    let mut to_client = &stream;
    for request in BufReader::new(&stream).lines() {
        let request = request?;
        println!("server: request for {request}");
        let answer = match request.as_str() {
            "apples" => "120 cents",
            "pears" => "95 cents",
            _ => "an unknown price",
        };
        writeln!(to_client, "{answer}")?;
    }
    Ok(())
}
// ANCHOR_END: server

// ANCHOR: client
/// The client process: ask for three prices, one line each way.
fn client(socket: &Path) -> Result<(), Box<dyn Error>> {
    let mut to_server = UnixStream::connect(socket)?;
    let mut from_server = BufReader::new(to_server.try_clone()?);
    for fruit in ["apples", "pears", "kiwis"] {
        writeln!(to_server, "{fruit}")?;
        let mut answer = String::new();
        if from_server.read_line(&mut answer)? == 0 {
            return Err("the server hung up".into());
        }
        print!("client: {fruit} cost {answer}");
    }
    Ok(())
}
// ANCHOR_END: client
