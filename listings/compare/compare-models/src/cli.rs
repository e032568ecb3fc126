//! The command line.

use super::*;

pub enum Mode {
    Help,
    Quick,
    Full { out: PathBuf },
    ChartsFrom { results: PathBuf, out: PathBuf },
}

pub const USAGE: &str =
    "usage: compare-models [--full [--out DIR]] | [--charts-from RESULTS.json --out DIR] | --help";

/// What `--help` prints after the usage line.
pub const HELP: &str =
    "  (no arguments)    a quick run: small sizes, 3 samples of each figure, every
                    answer checked; its timings mean little
  --full            the real run, 5 samples of each figure (build with --release);
                    runs python/bench.py too when python3 is on the PATH
  --out DIR         where --full writes results.json, the charts and tables.md
                    (default: compare-results)
  --charts-from F   draws the charts and tables.md again from the results file F
  --help            this text
Every run raises its soft limit on open files to the hard limit, and says so.";

pub fn parse_args(args: &[String]) -> Result<Mode, String> {
    let mut full = false;
    let mut out = None;
    let mut charts_from = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => return Ok(Mode::Help),
            "--full" => full = true,
            "--out" | "--charts-from" => {
                let value = args
                    .next()
                    .ok_or_else(|| format!("{arg} needs a value; {USAGE}"))?;
                if arg == "--out" {
                    out = Some(PathBuf::from(value));
                } else {
                    charts_from = Some(PathBuf::from(value));
                }
            }
            other => return Err(format!("unknown argument `{other}`; {USAGE}")),
        }
    }
    match (full, charts_from, out) {
        (true, Some(_), _) => Err(format!("--full and --charts-from do not mix; {USAGE}")),
        (false, Some(results), Some(out)) => Ok(Mode::ChartsFrom { results, out }),
        (false, Some(_), None) => Err(format!("--charts-from needs --out DIR; {USAGE}")),
        (true, None, out) => Ok(Mode::Full {
            out: out.unwrap_or_else(|| PathBuf::from("compare-results")),
        }),
        (false, None, Some(_)) => Err(format!("--out needs --full or --charts-from; {USAGE}")),
        (false, None, None) => Ok(Mode::Quick),
    }
}
