//! The tempo mixability rule shared by ranking, set planning and the benchmarks.

/// Largest relative tempo difference (after half/double folding) that still beat-matches.
pub const TEMPO_MIX_TOLERANCE: f64 = 0.06;

/// Smallest relative difference between `current` and `candidate` BPM over the
/// candidate at its own tempo, double and half time: `min |c'/cur - 1|` for `c' in {c, 2c, c/2}`.
/// Returns `f64::INFINITY` for non-positive or non-finite input.
pub fn tempo_ratio(current: f64, candidate: f64) -> f64 {
    if !(current.is_finite() && candidate.is_finite()) || current <= 0.0 || candidate <= 0.0 {
        return f64::INFINITY;
    }
    [candidate, candidate * 2.0, candidate / 2.0]
        .iter()
        .map(|c| (c / current - 1.0).abs())
        .fold(f64::INFINITY, f64::min)
}

/// True when the two tempos can be beat-matched within [`TEMPO_MIX_TOLERANCE`].
pub fn tempo_mixable(current: f64, candidate: f64) -> bool {
    tempo_ratio(current, candidate) <= TEMPO_MIX_TOLERANCE + 1e-12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_and_double_time_mix() {
        assert!(tempo_mixable(174.0, 87.0));
        assert!(tempo_mixable(70.0, 140.0));
        assert!(tempo_mixable(124.0, 128.0));
        assert!(!tempo_mixable(124.0, 140.0));
        assert!((tempo_ratio(125.0, 130.0) - 0.04).abs() < 1e-9);
        assert_eq!(tempo_ratio(0.0, 120.0), f64::INFINITY);
        assert!(!tempo_mixable(f64::NAN, 120.0));
    }
}
