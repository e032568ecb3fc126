//! mdBook's hidden lines, shared by `build.rs` and the tests.

/// The program a code block stands for: its hidden lines (`# `) shown, the
/// way skeptic and rustdoc read them.
pub fn unhidden(body: &str) -> String {
    body.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            match trimmed.strip_prefix("# ") {
                Some(rest) => rest,
                None if trimmed == "#" => "",
                None => line,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
