//! The examples' standard error of a mean.

/// Mean and standard error of the mean of `xs` (from the library's mean
/// and sample standard deviation).
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let (mean, sd) = breakeven::analysis::mean_sd(xs);
    (mean, sd / (xs.len() as f64).sqrt())
}
