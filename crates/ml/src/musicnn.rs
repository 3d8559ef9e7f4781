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

use candle_core::{DType, Device, Tensor, D};

use crate::tfckpt::CkptTensor;
use crate::{candle_err, MlError, N_MELS, PATCH_FRAMES};

const MODEL: &str = "musicnn";
const BN_EPS: f64 = 1e-3;

/// Folded batch norm: `y = x * scale + shift`.
struct Bn {
    scale: Tensor,
    shift: Tensor,
}

struct Conv {
    /// candle layout `[out, in, kh, kw]` (2-D) or `[out, in, k]` (1-D).
    w: Tensor,
    b: Tensor,
}

pub(crate) struct Musicnn {
    bn_in: (f32, f32),
    timbral: Vec<(Conv, Bn)>,
    /// (conv, bn, pad_top, pad_bottom)
    temporal: Vec<(Conv, Bn, usize, usize)>,
    mid: Vec<(Conv, Bn)>,
    bn_pool: Bn,
    dense1: (Tensor, Tensor),
    bn_dense: Bn,
    dense2: (Tensor, Tensor),
    pub n_classes: usize,
    device: Device,
}

/// Batch outputs: sigmoid probabilities `[B, n_classes]` and penultimate `[B, 200]`.
pub(crate) struct Forward {
    pub probs: Vec<Vec<f32>>,
    pub penultimate: Vec<Vec<f32>>,
}

struct Weights<'a> {
    map: &'a BTreeMap<String, CkptTensor>,
    prefix: &'a str,
}

impl Weights<'_> {
    fn get(&self, name: &str) -> Result<&CkptTensor, MlError> {
        let full = format!("{}{name}", self.prefix);
        self.map.get(&full).ok_or_else(|| MlError::Weights {
            model: MODEL,
            name: full,
            reason: "missing from checkpoint".into(),
        })
    }

    fn shaped(&self, name: &str, shape: &[usize]) -> Result<&CkptTensor, MlError> {
        let t = self.get(name)?;
        if t.shape != shape {
            return Err(MlError::Weights {
                model: MODEL,
                name: format!("{}{name}", self.prefix),
                reason: format!("shape {:?}, expected {:?}", t.shape, shape),
            });
        }
        Ok(t)
    }

    /// Folded BN of `n` channels, reshaped to `bshape` for broadcasting.
    fn bn(&self, idx: usize, n: usize, bshape: &[usize], dev: &Device) -> Result<Bn, MlError> {
        let (scale, shift) = self.bn_vals(idx, n)?;
        let mk = |v: Vec<f32>| Tensor::from_vec(v, bshape, dev).map_err(candle_err(MODEL, "load"));
        Ok(Bn {
            scale: mk(scale)?,
            shift: mk(shift)?,
        })
    }

    fn bn_vals(&self, idx: usize, n: usize) -> Result<(Vec<f32>, Vec<f32>), MlError> {
        let name = if idx == 0 {
            "batch_normalization".to_string()
        } else {
            format!("batch_normalization_{idx}")
        };
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
        Ok((scale, shift))
    }

    /// TF conv kernel `[kh, kw, in, out]` → candle `[out, in, kh, kw]`.
    fn conv2d(&self, idx: usize, shape: [usize; 4], dev: &Device) -> Result<Conv, MlError> {
        let name = if idx == 0 {
            "conv2d".to_string()
        } else {
            format!("conv2d_{idx}")
        };
        let k = self.shaped(&format!("{name}/kernel"), &shape)?;
        let b = self.shaped(&format!("{name}/bias"), &[shape[3]])?;
        let w = Tensor::from_vec(k.data.clone(), &shape[..], dev)
            .and_then(|t| t.permute((3, 2, 0, 1)))
            .and_then(|t| t.contiguous())
            .map_err(candle_err(MODEL, "load"))?;
        let b = Tensor::from_vec(b.data.clone(), (1, shape[3], 1, 1), dev)
            .map_err(candle_err(MODEL, "load"))?;
        Ok(Conv { w, b })
    }

    fn dense(&self, idx: usize, i: usize, o: usize, dev: &Device) -> Result<(Tensor, Tensor), MlError> {
        let name = if idx == 0 {
            "dense".to_string()
        } else {
            format!("dense_{idx}")
        };
        let k = self.shaped(&format!("{name}/kernel"), &[i, o])?;
        let b = self.shaped(&format!("{name}/bias"), &[o])?;
        let w = Tensor::from_vec(k.data.clone(), (i, o), dev).map_err(candle_err(MODEL, "load"))?;
        let b = Tensor::from_vec(b.data.clone(), (1, o), dev).map_err(candle_err(MODEL, "load"))?;
        Ok((w, b))
    }
}

fn same_pad(k: usize) -> (usize, usize) {
    let total = k - 1;
    (total / 2, total - total / 2)
}

impl Musicnn {
    /// Build from checkpoint tensors (names `model/conv2d…`, `model/batch_normalization…`,
    /// `model/dense…`, in the order `build_musicnn` creates them).
    pub fn from_checkpoint(map: &BTreeMap<String, CkptTensor>) -> Result<Self, MlError> {
        let dev = Device::Cpu;
        let w = Weights {
            map,
            prefix: "",
        };
        let n_classes = w.get("dense_1/bias")?.shape.first().copied().unwrap_or(0);
        let (s0, b0) = w.bn_vals(0, 1)?;
        let f = 204; // int(1.6 * 128)
        let ft = 51; // int(1.6 * 32)
        let timbral = vec![
            (w.conv2d(0, [7, 38, 1, f], &dev)?, w.bn(1, f, &[1, f, 1, 1], &dev)?),
            (w.conv2d(1, [7, 67, 1, f], &dev)?, w.bn(2, f, &[1, f, 1, 1], &dev)?),
        ];
        let mut temporal = Vec::new();
        for (i, k) in [128usize, 64, 32].into_iter().enumerate() {
            let (t, b) = same_pad(k);
            temporal.push((
                w.conv2d(2 + i, [k, 1, 1, ft], &dev)?,
                w.bn(3 + i, ft, &[1, ft, 1, 1], &dev)?,
                t,
                b,
            ));
        }
        let front = 2 * f + 3 * ft; // 561
        let mid_f = 64;
        let mut mid = Vec::new();
        for (i, cin) in [front, mid_f, mid_f].into_iter().enumerate() {
            // TF kernel [7, cin, 1, 64] → candle 2-D [64, 1, 7, cin]; we run it as a 1-D conv
            // with kernel [64, cin, 7].
            let c = w.conv2d(5 + i, [7, cin, 1, mid_f], &dev)?;
            let w1 = c
                .w
                .squeeze(1)
                .and_then(|t| t.permute((0, 2, 1)))
                .and_then(|t| t.contiguous())
                .map_err(candle_err(MODEL, "load"))?;
            let b1 = c.b.squeeze(3).map_err(candle_err(MODEL, "load"))?;
            mid.push((Conv { w: w1, b: b1 }, w.bn(6 + i, mid_f, &[1, mid_f, 1], &dev)?));
        }
        let feat = front + 3 * mid_f; // 753
        let bn_pool = w.bn(9, 2 * feat, &[1, 2 * feat], &dev)?;
        let units = w.get("dense/bias")?.shape.first().copied().unwrap_or(0);
        let dense1 = w.dense(0, 2 * feat, units, &dev)?;
        let bn_dense = w.bn(10, units, &[1, units], &dev)?;
        let dense2 = w.dense(1, units, n_classes, &dev)?;
        Ok(Self {
            bn_in: (s0[0], b0[0]),
            timbral,
            temporal,
            mid,
            bn_pool,
            dense1,
            bn_dense,
            dense2,
            n_classes,
            device: dev,
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
        self.forward_t(x, batch).map_err(candle_err(MODEL, "forward"))
    }

    fn forward_t(&self, x: &[f32], batch: usize) -> candle_core::Result<Forward> {
        let (s0, b0) = self.bn_in;
        let x: Vec<f32> = x.iter().map(|v| v * s0 + b0).collect();
        // NCHW: [B, 1, T, F]
        let x = Tensor::from_vec(x, (batch, 1, PATCH_FRAMES, N_MELS), &self.device)?;
        let mut front = Vec::with_capacity(5);
        let xp = x.pad_with_zeros(2, 3, 3)?;
        for (conv, bn) in &self.timbral {
            front.push(block(&xp, conv, bn)?);
        }
        for (conv, bn, top, bottom) in &self.temporal {
            let xp = x.pad_with_zeros(2, *top, *bottom)?;
            front.push(block(&xp, conv, bn)?);
        }
        // [B, 561, T]
        let front = Tensor::cat(&front, 1)?;
        let mut feats = vec![front.clone()];
        let mut prev: Option<Tensor> = None;
        let mut cur = front;
        for (conv, bn) in &self.mid {
            let y = cur
                .pad_with_zeros(2, 3, 3)?
                .conv1d(&conv.w, 0, 1, 1, 1)?
                .broadcast_add(&conv.b)?
                .relu()?
                .broadcast_mul(&bn.scale)?
                .broadcast_add(&bn.shift)?;
            let y = match &prev {
                Some(p) => (y + p)?,
                None => y,
            };
            feats.push(y.clone());
            prev = Some(y.clone());
            cur = y;
        }
        // [B, 753, T]
        let m = Tensor::cat(&feats, 1)?;
        let mx = m.max_keepdim(D::Minus1)?;
        let mean = m.mean_keepdim(D::Minus1)?;
        // interleave (max, mean) per channel → [B, 1506]
        let pooled = Tensor::cat(&[mx, mean], D::Minus1)?.flatten_from(1)?;
        let h = pooled
            .broadcast_mul(&self.bn_pool.scale)?
            .broadcast_add(&self.bn_pool.shift)?;
        let h = h
            .matmul(&self.dense1.0)?
            .broadcast_add(&self.dense1.1)?
            .relu()?;
        let pen = h
            .broadcast_mul(&self.bn_dense.scale)?
            .broadcast_add(&self.bn_dense.shift)?;
        let logits = pen.matmul(&self.dense2.0)?.broadcast_add(&self.dense2.1)?;
        let probs = candle_nn::ops::sigmoid(&logits)?;
        Ok(Forward {
            probs: probs.to_dtype(DType::F32)?.to_vec2()?,
            penultimate: pen.to_vec2()?,
        })
    }
}

/// conv → ReLU → BN → max over frequency: `[B, C, T, F']` → `[B, C, T]`.
fn block(x: &Tensor, conv: &Conv, bn: &Bn) -> candle_core::Result<Tensor> {
    x.conv2d(&conv.w, 0, 1, 1, 1)?
        .broadcast_add(&conv.b)?
        .relu()?
        .broadcast_mul(&bn.scale)?
        .broadcast_add(&bn.shift)?
        .max(D::Minus1)
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
