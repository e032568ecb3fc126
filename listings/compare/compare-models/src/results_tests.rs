//! Unit tests of the results schema (`results.rs`). They live here, not in
//! that file, because the book's tests compile `results.rs` into their own
//! crate, where these tests would not run.

use crate::results::*;

#[test]
fn a_skipped_python_side_reads_and_writes_as_one_key() {
    let side: PythonSide = serde_json::from_str(r#"{"skipped": "no python3"}"#).unwrap();
    assert!(matches!(&side, PythonSide::Skipped { skipped } if skipped == "no python3"));
    assert_eq!(
        serde_json::to_string(&side).unwrap(),
        r#"{"skipped":"no python3"}"#
    );
}

#[test]
fn a_skip_reason_must_be_text() {
    let error = serde_json::from_str::<PythonSide>(r#"{"skipped": 3}"#)
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("`skipped` is not a string"), "{error}");
}

#[test]
fn a_wrong_key_in_the_python_results_is_named() {
    let error = serde_json::from_str::<PythonSide>(r#"{"pyhton": "3.11.7"}"#)
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.starts_with("python: unknown field `pyhton`"),
        "{error}"
    );
}

#[test]
fn a_figure_rejects_a_key_of_another_unit() {
    let text = r#"{"max_s": 2.0, "median_s": 1.5, "min_s": 1.0, "samples_us": [1.0, 2.0]}"#;
    let error = serde_json::from_str::<Seconds>(text)
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("unknown field `samples_us`"), "{error}");
}

#[test]
fn a_figure_writes_its_keys_in_the_files_order() {
    let figure = Micros {
        max_us: 2.0,
        median_us: 1.5,
        min_us: 1.0,
        samples_us: vec![1.0, 2.0],
    };
    assert_eq!(
        serde_json::to_string(&figure).unwrap(),
        r#"{"max_us":2.0,"median_us":1.5,"min_us":1.0,"samples_us":[1.0,2.0]}"#
    );
}
