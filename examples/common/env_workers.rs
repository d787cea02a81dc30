//! The worker counts the stepping-hour examples read from the environment.

/// The whole number in the environment variable `name` (a worker count:
/// `MINW` pins workers, `MAXW` caps them), or `unset` where it is unset or
/// empty; panics on anything else, naming the variable.
pub fn env_workers(name: &str, unset: u32) -> u32 {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map_or(unset, |v| v.parse().expect(name))
}
