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

    /// This figure as results.json records it, in seconds.
    pub fn seconds(&self) -> results::Seconds {
        results::Seconds {
            max_s: self.max(),
            median_s: self.median(),
            min_s: self.min(),
            samples_s: self.samples.clone(),
        }
    }

    /// In microseconds.
    pub fn micros(&self) -> results::Micros {
        results::Micros {
            max_us: self.max(),
            median_us: self.median(),
            min_us: self.min(),
            samples_us: self.samples.clone(),
        }
    }

    /// In bytes.
    pub fn bytes(&self) -> results::Bytes {
        results::Bytes {
            max_bytes: self.max(),
            median_bytes: self.median(),
            min_bytes: self.min(),
            samples_bytes: self.samples.clone(),
        }
    }
}
