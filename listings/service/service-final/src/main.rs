mod app;
mod config;
mod error;
mod requests;
mod server;
#[cfg(test)]
mod tests;

fn main() -> anyhow::Result<()> {
    app::main()
}
