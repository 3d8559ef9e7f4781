//! The musicnn network (Pons & Serra 2019, `musicnn/models.py::build_musicnn`, ISC licence)
//! in candle, inference only (batch norm folded into per-channel scale + shift).
//!
//! Graph, for a batch of `[B, 187, 96]` log-mel patches (TF layout NHWC, here NCHW):
//! * input BN (one channel);
//! * front end: two timbral convs (7×38 and 7×67, 204 filters each, time padded 3/3, valid in
//!   frequency) and three temporal convs (128×1, 64×1, 32×1, 51 filters each, TF 'same'
//!   padding in time: asymmetric for even kernels, 63/64, 31/32, 15/16), each ReLU → BN →
//!   max over frequency; concatenated to 561 channels per frame;
//! * mid end: three 7-tap convs over time (561→64, 64→64, 64→64), ReLU → BN, the 2nd and
//!   3rd residual; dense concat → 753 channels;
//! * back end: max and mean over time, interleaved per channel `(max₀, mean₀, max₁, …)`
//!   (TF concat on a trailing axis then flatten), BN → dense 200 ReLU → BN (= penultimate)
//!   → dense 50 → sigmoid.

use std::collections::BTreeMap;

use candle_core::{Device, Tensor};

use crate::tfckpt::CkptTensor;
use crate::{candle_err, MlError, N_MELS, PATCH_FRAMES};

const MODEL: &str = "musicnn";
const BN_EPS: f64 = 1e-3;

/// Folded batch norm: `y = x * scale + shift`, per channel.
struct Bn {
    scale: Vec<f32>,
    shift: Vec<f32>,
}

/// A convolution as a matrix: TF kernel `[kh, kw, cin, cout]` flattened row-major to
/// `[kh*kw*cin, cout]`, which is exactly the column order of our im2col rows.
struct Conv {
    w: Tensor,
    bias: Vec<f32>,
    kh: usize,
    kw: usize,
}

/// A front-end branch: conv → ReLU → BN → max over frequency; `pad` = (top, bottom) zero
/// padding in time.
struct Front {
    conv: Conv,
    bn: Bn,
    pad: (usize, usize),
}

pub(crate) struct Musicnn {
    bn_in: (f32, f32),
    front: Vec<Front>,
    mid: Vec<(Conv, Bn)>,
    bn_pool: Bn,
    dense1: (Tensor, Vec<f32>),
    bn_dense: Bn,
    dense2: (Tensor, Vec<f32>),
    pub n_classes: usize,
}

/// Batch outputs: sigmoid probabilities `[B][n_classes]` and penultimate `[B][200]`.
pub(crate) struct Forward {
    pub probs: Vec<Vec<f32>>,
    pub penultimate: Vec<Vec<f32>>,
}

struct Weights<'a> {
    map: &'a BTreeMap<String, CkptTensor>,
}

fn numbered(base: &str, idx: usize) -> String {
    if idx == 0 {
        base.to_string()
    } else {
        format!("{base}_{idx}")
    }
}

impl Weights<'_> {
    fn shaped(&self, name: &str, shape: &[usize]) -> Result<&CkptTensor, MlError> {
        let t = self.map.get(name).ok_or_else(|| MlError::Weights {
            model: MODEL,
            name: name.into(),
            reason: "missing from checkpoint".into(),
        })?;
        if t.shape != shape {
            return Err(MlError::Weights {
                model: MODEL,
                name: name.into(),
                reason: format!("shape {:?}, expected {:?}", t.shape, shape),
            });
        }
        Ok(t)
    }

    fn bn(&self, idx: usize, n: usize) -> Result<Bn, MlError> {
        let name = numbered("batch_normalization", idx);
        let g = self.shaped(&format!("{name}/gamma"), &[n])?;
        let b = self.shaped(&format!("{name}/beta"), &[n])?;
        let m = self.shaped(&format!("{name}/moving_mean"), &[n])?;
        let v = self.shaped(&format!("{name}/moving_variance"), &[n])?;
        let mut scale = Vec::with_capacity(n);
        let mut shift = Vec::with_capacity(n);
        for i in 0..n {
            let s = f64::from(g.data[i]) / (f64::from(v.data[i]) + BN_EPS).sqrt();
            scale.push(s as f32);
            shift.push((f64::from(b.data[i]) - f64::from(m.data[i]) * s) as f32);
        }
        Ok(Bn { scale, shift })
    }

    fn conv(&self, idx: usize, shape: [usize; 4], dev: &Device) -> Result<Conv, MlError> {
        let name = numbered("conv2d", idx);
        let k = self.shaped(&format!("{name}/kernel"), &shape)?;
        let b = self.shaped(&format!("{name}/bias"), &[shape[3]])?;
        let rows = shape[0] * shape[1] * shape[2];
        let w = Tensor::from_vec(k.data.clone(), (rows, shape[3]), dev)
            .map_err(candle_err(MODEL, "load"))?;
        Ok(Conv {
            w,
            bias: b.data.clone(),
            kh: shape[0],
            kw: shape[1],
        })
    }

    fn dense(
        &self,
        idx: usize,
        i: usize,
        o: usize,
        dev: &Device,
    ) -> Result<(Tensor, Vec<f32>), MlError> {
        let name = numbered("dense", idx);
        let k = self.shaped(&format!("{name}/kernel"), &[i, o])?;
        let b = self.shaped(&format!("{name}/bias"), &[o])?;
        let w = Tensor::from_vec(k.data.clone(), (i, o), dev).map_err(candle_err(MODEL, "load"))?;
        Ok((w, b.data.clone()))
    }
}

fn same_pad(k: usize) -> (usize, usize) {
    let total = k - 1;
    (total / 2, total - total / 2)
}

/// `a [m, k] · w [k, n]` with candle's gemm.
fn matmul(a: Vec<f32>, m: usize, k: usize, w: &Tensor) -> candle_core::Result<Vec<f32>> {
    let a = Tensor::from_vec(a, (m, k), &Device::Cpu)?;
    a.matmul(w)?.flatten_all()?.to_vec1()
}

/// Zero-pad a time-major `[t, c]` matrix in time.
fn pad_time(x: &[f32], c: usize, top: usize, bottom: usize) -> Vec<f32> {
    let mut v = vec![0f32; top * c];
    v.extend_from_slice(x);
    v.extend(std::iter::repeat_n(0f32, bottom * c));
    v
}

impl Musicnn {
    /// Build from checkpoint tensors (names as `build_musicnn` creates them: `conv2d…`,
    /// `batch_normalization…`, `dense…`).
    pub fn from_checkpoint(map: &BTreeMap<String, CkptTensor>) -> Result<Self, MlError> {
        let dev = Device::Cpu;
        let w = Weights { map };
        let n_classes = map
            .get("dense_1/bias")
            .and_then(|t| t.shape.first().copied())
            .unwrap_or(0);
        let b0 = w.bn(0, 1)?;
        let f = 204; // int(1.6 * 128)
        let ft = 51; // int(1.6 * 32)
        let mut front = vec![
            Front {
                conv: w.conv(0, [7, 38, 1, f], &dev)?,
                bn: w.bn(1, f)?,
                pad: (3, 3),
            },
            Front {
                conv: w.conv(1, [7, 67, 1, f], &dev)?,
                bn: w.bn(2, f)?,
                pad: (3, 3),
            },
        ];
        for (i, k) in [128usize, 64, 32].into_iter().enumerate() {
            front.push(Front {
                conv: w.conv(2 + i, [k, 1, 1, ft], &dev)?,
                bn: w.bn(3 + i, ft)?,
                pad: same_pad(k),
            });
        }
        let n_front = 2 * f + 3 * ft; // 561
        let mid_f = 64;
        let mut mid = Vec::new();
        for (i, cin) in [n_front, mid_f, mid_f].into_iter().enumerate() {
            mid.push((
                w.conv(5 + i, [7, cin, 1, mid_f], &dev)?,
                w.bn(6 + i, mid_f)?,
            ));
        }
        let feat = n_front + 3 * mid_f; // 753
        let bn_pool = w.bn(9, 2 * feat)?;
        let units = map
            .get("dense/bias")
            .and_then(|t| t.shape.first().copied())
            .unwrap_or(0);
        let dense1 = w.dense(0, 2 * feat, units, &dev)?;
        let bn_dense = w.bn(10, units)?;
        let dense2 = w.dense(1, units, n_classes, &dev)?;
        Ok(Self {
            bn_in: (b0.scale[0], b0.shift[0]),
            front,
            mid,
            bn_pool,
            dense1,
            bn_dense,
            dense2,
            n_classes,
        })
    }

    /// Run a batch of patches, `x` = `B * 187 * 96` values (frame-major per patch).
    pub fn forward(&self, x: &[f32], batch: usize) -> Result<Forward, MlError> {
        if x.len() != batch * PATCH_FRAMES * N_MELS || batch == 0 {
            return Err(MlError::Input(format!(
                "expected {batch} patches of {PATCH_FRAMES}x{N_MELS}, got {} values",
                x.len()
            )));
        }
        self.forward_t(x, batch)
            .map_err(candle_err(MODEL, "forward"))
    }

    fn forward_t(&self, x: &[f32], batch: usize) -> candle_core::Result<Forward> {
        let per = PATCH_FRAMES * N_MELS;
        let mut pooled = Vec::with_capacity(batch * self.bn_pool.scale.len());
        for p in 0..batch {
            pooled.extend(self.patch_features(&x[p * per..(p + 1) * per])?);
        }
        // back end on the whole batch
        let n_pool = self.bn_pool.scale.len();
        for (i, v) in pooled.iter_mut().enumerate() {
            let c = i % n_pool;
            *v = *v * self.bn_pool.scale[c] + self.bn_pool.shift[c];
        }
        let units = self.dense1.1.len();
        let mut h = matmul(pooled, batch, n_pool, &self.dense1.0)?;
        for (i, v) in h.iter_mut().enumerate() {
            let c = i % units;
            *v = (*v + self.dense1.1[c]).max(0.0) * self.bn_dense.scale[c] + self.bn_dense.shift[c];
        }
        let logits = matmul(h.clone(), batch, units, &self.dense2.0)?;
        let nc = self.dense2.1.len();
        let probs = logits
            .chunks(nc)
            .map(|row| {
                row.iter()
                    .zip(&self.dense2.1)
                    .map(|(l, b)| 1.0 / (1.0 + (-(l + b)).exp()))
                    .collect()
            })
            .collect();
        Ok(Forward {
            probs,
            penultimate: h.chunks(units).map(<[f32]>::to_vec).collect(),
        })
    }

    /// Front and mid end of one patch, pooled: `[2 * 753]` interleaved (max, mean).
    fn patch_features(&self, x: &[f32]) -> candle_core::Result<Vec<f32>> {
        let t_out = PATCH_FRAMES;
        let (s0, b0) = self.bn_in;
        let xb: Vec<f32> = x.iter().map(|v| v * s0 + b0).collect();
        // front end, time-major [187, 561]
        let n_front: usize = self.front.iter().map(|f| f.bn.scale.len()).sum();
        let mut front = vec![0f32; t_out * n_front];
        let mut c_off = 0;
        for br in &self.front {
            let xp = pad_time(&xb, N_MELS, br.pad.0, br.pad.1);
            let (kh, kw) = (br.conv.kh, br.conv.kw);
            let fo = N_MELS - kw + 1;
            let k = kh * kw;
            // im2col: row (t, f) = xp[t + i][f + j] for i < kh, j < kw
            let mut cols = Vec::with_capacity(t_out * fo * k);
            for t in 0..t_out {
                for f in 0..fo {
                    for i in 0..kh {
                        let row = (t + i) * N_MELS + f;
                        cols.extend_from_slice(&xp[row..row + kw]);
                    }
                }
            }
            let y = matmul(cols, t_out * fo, k, &br.conv.w)?; // [(t, f), c]
            let c_n = br.bn.scale.len();
            // max (or min, where the BN scale is negative) over frequency commutes with
            // + bias, ReLU and the BN affine map, so reduce first
            for t in 0..t_out {
                for c in 0..c_n {
                    let neg = br.bn.scale[c] < 0.0;
                    let mut acc = if neg {
                        f32::INFINITY
                    } else {
                        f32::NEG_INFINITY
                    };
                    for f in 0..fo {
                        let v = y[(t * fo + f) * c_n + c];
                        acc = if neg { acc.min(v) } else { acc.max(v) };
                    }
                    let z = (acc + br.conv.bias[c]).max(0.0);
                    front[t * n_front + c_off + c] = z * br.bn.scale[c] + br.bn.shift[c];
                }
            }
            c_off += c_n;
        }
        // mid end: 7-tap convs over time; dense concat of [front, m1, m2, m3]
        let mut feats: Vec<(Vec<f32>, usize)> = vec![(front, n_front)];
        let mut prev: Option<Vec<f32>> = None;
        for (conv, bn) in &self.mid {
            let (cur, cin) = match feats.last() {
                Some((v, c)) => (v, *c),
                None => break,
            };
            let xp = pad_time(cur, cin, 3, 3);
            let k = conv.kh * cin;
            let mut cols = Vec::with_capacity(t_out * k);
            for t in 0..t_out {
                cols.extend_from_slice(&xp[t * cin..(t + conv.kh) * cin]);
            }
            let mut y = matmul(cols, t_out, k, &conv.w)?;
            let co = bn.scale.len();
            for (i, v) in y.iter_mut().enumerate() {
                let c = i % co;
                *v = (*v + conv.bias[c]).max(0.0) * bn.scale[c] + bn.shift[c];
            }
            if let Some(p) = &prev {
                for (a, b) in y.iter_mut().zip(p) {
                    *a += b;
                }
            }
            prev = Some(y.clone());
            feats.push((y, co));
        }
        // back end pooling: per channel (max over time, mean over time), interleaved
        let total: usize = feats.iter().map(|f| f.1).sum();
        let mut pooled = Vec::with_capacity(2 * total);
        for (m, c_n) in &feats {
            for c in 0..*c_n {
                let mut mx = f32::NEG_INFINITY;
                let mut sum = 0f32;
                for t in 0..t_out {
                    let v = m[t * c_n + c];
                    mx = mx.max(v);
                    sum += v;
                }
                pooled.push(mx);
                pooled.push(sum / t_out as f32);
            }
        }
        Ok(pooled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_padding_is_tf_asymmetric() {
        assert_eq!(same_pad(128), (63, 64));
        assert_eq!(same_pad(64), (31, 32));
        assert_eq!(same_pad(32), (15, 16));
        assert_eq!(same_pad(7), (3, 3));
    }
}
