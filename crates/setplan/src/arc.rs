//! Energy arcs: a set's intended energy (1–10) over its length.

/// Piecewise-linear energy target over the set, as (position 0–1, energy) points.
#[derive(Debug, Clone, PartialEq)]
pub struct Arc {
    points: Vec<(f64, f64)>,
    name: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown arc {0:?}: use phases like warmup-build-peak-release (warmup, build, peak, sustain, release, cooldown, journey) or energies like 4-6-8-6")]
pub struct ArcError(pub String);

/// Energy at the start and end of a named phase.
fn phase(name: &str) -> Option<(f64, f64)> {
    Some(match name {
        "warmup" | "warm-up" | "warm" | "opener" | "open" => (3.5, 5.0),
        "build" | "rise" | "up" => (5.0, 7.5),
        "peak" | "peaktime" | "peak-time" => (8.0, 9.0),
        "sustain" | "plateau" | "hold" => (7.5, 7.5),
        "journey" => (5.5, 6.5),
        "release" | "down" | "comedown" => (7.5, 5.5),
        "cooldown" | "cool-down" | "closer" | "close" | "afters" => (5.0, 3.5),
        _ => return None,
    })
}

impl Default for Arc {
    fn default() -> Self {
        Self::parse("warmup-build-peak-release").unwrap_or(Self {
            points: vec![(0.0, 6.0), (1.0, 6.0)],
            name: "flat".into(),
        })
    }
}

impl Arc {
    /// `warmup-build-peak-release`, `build-peak`, `4-6-8-9-6` (energies at equal spacing), or
    /// phases with weights `warmup:2,build:1,peak:1` (commas or dashes).
    pub fn parse(spec: &str) -> Result<Self, ArcError> {
        let s = spec.trim().to_ascii_lowercase();
        if s.is_empty() || s.len() > 200 {
            return Err(ArcError(spec.to_string()));
        }
        let parts: Vec<&str> = s
            .split([',', '-', ' ', '>'])
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            return Err(ArcError(spec.to_string()));
        }
        // Numeric energies.
        if parts.iter().all(|p| p.parse::<f64>().is_ok()) {
            let vals: Vec<f64> = parts.iter().filter_map(|p| p.parse::<f64>().ok()).collect();
            if vals.iter().any(|v| !(1.0..=10.0).contains(v)) {
                return Err(ArcError(spec.to_string()));
            }
            let n = vals.len();
            let points = if n == 1 {
                vec![(0.0, vals[0]), (1.0, vals[0])]
            } else {
                vals.iter()
                    .enumerate()
                    .map(|(i, &v)| (i as f64 / (n - 1) as f64, v))
                    .collect()
            };
            return Ok(Self { points, name: s });
        }
        // Re-join hyphenated phase names ("warm-up", "peak-time", "cool-down").
        let mut names: Vec<(String, f64)> = Vec::new();
        let mut i = 0;
        while i < parts.len() {
            let (p, w) = match parts[i].split_once(':') {
                Some((p, w)) => (
                    p.to_string(),
                    w.parse::<f64>().map_err(|_| ArcError(spec.to_string()))?,
                ),
                None => (parts[i].to_string(), 1.0),
            };
            if i + 1 < parts.len() && phase(&format!("{p}-{}", parts[i + 1])).is_some() {
                names.push((format!("{p}-{}", parts[i + 1]), 1.0));
                i += 2;
                continue;
            }
            if phase(&p).is_none() || !(w.is_finite() && w > 0.0) {
                return Err(ArcError(spec.to_string()));
            }
            names.push((p, w));
            i += 1;
        }
        let total: f64 = names.iter().map(|(_, w)| w).sum();
        let mut points = Vec::new();
        let mut at = 0.0;
        for (p, w) in &names {
            let (a, b) = phase(p).ok_or_else(|| ArcError(spec.to_string()))?;
            points.push((at / total, a));
            at += w;
            points.push((at / total, b));
        }
        Ok(Self { points, name: s })
    }

    /// Target energy at position `frac` (0 = start, 1 = end of the set).
    pub fn target(&self, frac: f64) -> f64 {
        let f = if frac.is_finite() {
            frac.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let pts = &self.points;
        let Some(&(_, first)) = pts.first() else {
            return 6.0;
        };
        if f <= pts[0].0 {
            return first;
        }
        for w in pts.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            if f <= x1 {
                return if x1 - x0 <= f64::EPSILON {
                    y1
                } else {
                    y0 + (y1 - y0) * (f - x0) / (x1 - x0)
                };
            }
        }
        pts.last().map(|p| p.1).unwrap_or(first)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}
