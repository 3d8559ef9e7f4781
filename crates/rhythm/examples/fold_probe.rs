//! Developer probe: fold each onset band over bars of the reference grid of one eval file.
use flowstate_rhythm::onset;
fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let path = &a[0];
    let bpm: f64 = a[1].parse().unwrap_or(120.0);
    let t0: f64 = a[2].parse().unwrap_or(0.0);
    let bytes = std::fs::read(path).unwrap_or_default();
    let pcm: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let f = onset::features(&pcm, 22050);
    let p = 60.0 * f.fps / bpm;
    let start = t0 * f.fps;
    let acc: Vec<f32> = (0..f.n_frames)
        .map(|t| f.bands[0][t] + f.bands[1][t])
        .collect();
    let acc = onset::detrend(&acc, 13);
    for l in [bpm / 4.0, bpm / 2.0, bpm, bpm * 2.0] {
        println!(
            "evenness at {l:.2}: acc {:.3} nov {:.3}  prof {:?}",
            flowstate_rhythm::tempo::evenness(&acc, f.fps, l),
            flowstate_rhythm::tempo::evenness(&f.novelty, f.fps, l),
            flowstate_rhythm::tempo::phase_profile(&acc, 60.0 * f.fps / l)
        );
    }
    let bins = 8; // per beat
    for (bi, band) in f
        .bands
        .iter()
        .chain(std::iter::once(&f.novelty))
        .enumerate()
    {
        let mut prof = vec![0.0f64; 4 * bins];
        let mut cnt = 0;
        let mut t = start;
        while t + 4.0 * p < f.n_frames as f64 {
            for i in 0..4 * bins {
                prof[i] += onset::local_max(band, t + p * i as f64 / bins as f64, 0) as f64;
            }
            cnt += 1;
            t += 4.0 * p;
        }
        let s: Vec<String> = prof
            .iter()
            .map(|v| format!("{:4.1}", v / cnt as f64))
            .collect();
        println!("band {bi}: {}", s.join(" "));
    }
}
#[allow(dead_code)]
fn unused() {}
