//! The generator and samplers the standalone simulations in `examples/`
//! (`storm_sim`, `frees_sim`, `bunched_sim`) share: splitmix64 and plain
//! samplers, independent of the engine's own streams, so that each
//! instrument checks the engine against draws of its own. Included by
//! path (`#[path = "common/sim_rng.rs"]`), not an example itself.

/// splitmix64, uniform on (0, 1); the state is the seed.
pub struct Rng(pub u64);

impl Rng {
    /// Uniform on (0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Exponential of mean `mean`.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.uniform().ln()
    }

    /// Standard normal (Box and Muller).
    pub fn normal(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }

    /// Gamma with the given mean and CV (Marsaglia and Tsang; fixed at CV 0).
    pub fn gamma(&mut self, mean: f64, cv: f64) -> f64 {
        if cv <= 0.0 {
            return mean;
        }
        let shape = 1.0 / (cv * cv);
        // Shapes below 1 by the boost X U^(1/shape), X ~ Gamma(shape + 1).
        let (a, boost) = if shape < 1.0 {
            (shape + 1.0, self.uniform().powf(1.0 / shape))
        } else {
            (shape, 1.0)
        };
        let d = a - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v > 0.0 && self.uniform().ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v * boost * mean / shape;
            }
        }
    }
}
