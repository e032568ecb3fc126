//! The command line.

use super::*;

pub enum Mode {
    Quick,
    Full { out: PathBuf },
    ChartsFrom { results: PathBuf, out: PathBuf },
}

pub const USAGE: &str =
    "usage: compare-models [--full [--out DIR]] | [--charts-from RESULTS.json --out DIR]";

pub fn parse_args(args: &[String]) -> Result<Mode, String> {
    let mut full = false;
    let mut out = None;
    let mut charts_from = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
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
