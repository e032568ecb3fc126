//! Repeated samples of one figure: its median and its spread.

use super::*;

/// The samples of one figure, in the order they were taken.
#[derive(Clone, Debug, Default)]
pub struct Spread {
    pub samples: Vec<f64>,
}

impl Spread {
    pub fn push(&mut self, sample: f64) {
        self.samples.push(sample);
    }

    fn sorted(&self) -> Vec<f64> {
        let mut sorted = self.samples.clone();
        sorted.sort_by(f64::total_cmp);
        sorted
    }

    /// The middle sample; with an even number, the mean of the middle two.
    pub fn median(&self) -> f64 {
        let sorted = self.sorted();
        let n = sorted.len();
        match n {
            0 => f64::NAN,
            _ if n % 2 == 1 => sorted[n / 2],
            _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        }
    }

    pub fn min(&self) -> f64 {
        self.sorted().first().copied().unwrap_or(f64::NAN)
    }

    pub fn max(&self) -> f64 {
        self.sorted().last().copied().unwrap_or(f64::NAN)
    }

    /// `{"median_s": .., "min_s": .., "max_s": .., "samples_s": [..]}` for
    /// unit `s`: the unit ends every key, so that a reader of the file (and
    /// the book's figure check) knows what the numbers measure.
    pub fn to_json(&self, unit: &str) -> Value {
        let mut map = serde_json::Map::new();
        map.insert(format!("median_{unit}"), json!(self.median()));
        map.insert(format!("min_{unit}"), json!(self.min()));
        map.insert(format!("max_{unit}"), json!(self.max()));
        map.insert(format!("samples_{unit}"), json!(self.samples));
        Value::Object(map)
    }
}
