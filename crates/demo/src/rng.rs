//! Deterministic pseudo-random numbers: the same seed gives the same files on
//! every machine and every run.
//!
//! Two forms: [`Rng`] is a sequential SplitMix64 stream for the case folder.
//! [`mix`] is a counter-based hash for the benchmark files: each row's draws
//! depend only on (seed, row, salt), so rows can be made in any order
//! without changing a byte.

/// The SplitMix64 output function: a bijective 64-bit mixer with good
/// avalanche, cheap enough to call several times per generated row.
fn finalize(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Returns a draw that depends only on `seed`, `index` and `salt`.
pub fn mix(seed: u64, index: u64, salt: u64) -> u64 {
    let a = finalize(seed ^ 0x9e37_79b9_7f4a_7c15);
    let b = finalize(a ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03));
    finalize(b ^ salt.wrapping_mul(0x8cb9_2ba7_2f3d_8dd7))
}

/// Maps a 64-bit draw to a uniform fraction in [0, 1).
pub fn unit(draw: u64) -> f64 {
    (draw >> 11) as f64 / (1u64 << 53) as f64
}

/// A sequential generator.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// Starts a stream for `seed`. `stream` separates independent uses of one seed
    /// (people, calls, carrier noise) so changing one does not shift another.
    pub fn new(seed: u64, stream: u64) -> Rng {
        Rng {
            state: mix(seed, stream, 0x5eed),
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        finalize(self.state)
    }

    /// Draws a uniform integer in `0..n`, or 0 when `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Multiply-shift keeps the bias below 2^-32 for the small n used here.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Draws a uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Draws a uniform fraction in [0, 1).
    pub fn unit(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Draws from an exponential distribution with the given mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -(1.0 - self.unit()).ln() * mean
    }

    /// Picks one element of a slice, or `None` when it is empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new(7, 1);
        let mut b = Rng::new(7, 1);
        let mut c = Rng::new(7, 2);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..5).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn ranges_stay_inside_their_bounds() {
        let mut r = Rng::new(1, 1);
        for _ in 0..10_000 {
            let v = r.range(-3, 3);
            assert!((-3..=3).contains(&v));
            assert!(r.below(10) < 10);
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.range(5, 5), 5);
    }

    #[test]
    fn mix_depends_on_every_input() {
        let base = mix(1, 2, 3);
        assert_ne!(base, mix(2, 2, 3));
        assert_ne!(base, mix(1, 3, 3));
        assert_ne!(base, mix(1, 2, 4));
        assert_eq!(base, mix(1, 2, 3));
    }
}
