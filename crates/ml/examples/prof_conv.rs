//! Micro-benchmark of the candle ops musicnn uses (not a test).
//! `RAYON_NUM_THREADS=1 cargo run --release -p flowstate-ml --example prof_conv`
use candle_core::{Device, Tensor};
use std::time::Instant;

fn main() -> candle_core::Result<()> {
    let d = Device::Cpu;
    let b = 8;
    let x = Tensor::randn(0f32, 1.0, (b, 1, 193, 96), &d)?;
    let w1 = Tensor::randn(0f32, 1.0, (204, 1, 7, 38), &d)?;
    let w2 = Tensor::randn(0f32, 1.0, (204, 1, 7, 67), &d)?;
    let xt = Tensor::randn(0f32, 1.0, (b, 1, 187 + 127, 96), &d)?;
    let wt = Tensor::randn(0f32, 1.0, (51, 1, 128, 1), &d)?;
    let m = Tensor::randn(0f32, 1.0, (b * 187 * 59, 266), &d)?;
    let mw = Tensor::randn(0f32, 1.0, (266, 204), &d)?;
    for _ in 0..2 {
        let t = Instant::now();
        let y = x.conv2d(&w1, 0, 1, 1, 1)?;
        println!("timbral 7x38: {:?} {:?}", t.elapsed() / b as u32, y.dims());
        let t = Instant::now();
        let y = x.conv2d(&w2, 0, 1, 1, 1)?;
        println!("timbral 7x67: {:?} {:?}", t.elapsed() / b as u32, y.dims());
        let t = Instant::now();
        let y = xt.conv2d(&wt, 0, 1, 1, 1)?;
        println!("temporal 128x1: {:?} {:?}", t.elapsed() / b as u32, y.dims());
        let t = Instant::now();
        let y = m.matmul(&mw)?;
        println!("plain matmul equiv of timbral 7x38: {:?} {:?}", t.elapsed() / b as u32, y.dims());
        let t = Instant::now();
        let y = y.relu()?.max(1)?;
        println!("relu+max: {:?} {:?}", t.elapsed() / b as u32, y.dims());
    }
    Ok(())
}
