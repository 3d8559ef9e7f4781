//! Incremental library scan: discovery -> classify -> hash -> analyse (rayon) -> one writer.

use crate::pipeline::{analysis_version, analyze_file, hash_file, AnalyzeOptions};
use crate::EngineError;
use flowstate_corpus::{Corpus, Failure, ScannedTrack};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Pipeline options; `analyze.hook` is where the ML tagger plugs in.
    pub analyze: AnalyzeOptions,
    /// Re-analyse every file even if unchanged.
    pub force: bool,
    /// Set to true from another thread to stop after the files in flight.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Follow symbolic links while walking (default false).
    pub follow_links: bool,
}

impl ScanOptions {
    pub fn new() -> Self {
        ScanOptions {
            analyze: AnalyzeOptions::full(),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileOutcome {
    /// Decoded and analysed, written.
    Analysed,
    /// Known audio at a new path (moved, renamed, copied) or touched file: linked, no analysis.
    Linked,
    Failed,
}

#[derive(Debug)]
pub enum ScanEvent<'a> {
    /// Discovery finished: `files` audio files found, `to_process` need work.
    Discovered {
        files: usize,
        unchanged: usize,
        to_process: usize,
    },
    /// A file is done (`done` of `total` processed so far).
    File {
        path: &'a Path,
        outcome: FileOutcome,
        failure: Option<&'a Failure>,
        done: usize,
        total: usize,
    },
    /// A walk error (unreadable directory...), also recorded as a failure when it has a path.
    WalkError { message: String },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanSummary {
    /// Audio files found under the roots.
    pub files: usize,
    pub unchanged: usize,
    pub analysed: usize,
    /// Moved/renamed/copied or touched files linked to known audio by hash.
    pub linked: usize,
    /// Files that failed in this scan.
    pub failed: usize,
    /// Files that failed before and are unchanged (still failing; not retried).
    pub failed_unchanged: usize,
    /// Tracks whose last file vanished in this scan (marked missing, data kept).
    pub missing: usize,
    pub seconds: f64,
    pub cancelled: bool,
}

impl ScanSummary {
    /// 0 all fine, 1 finished with failed files.
    pub fn exit_code(&self) -> u8 {
        if self.failed + self.failed_unchanged > 0 {
            1
        } else {
            0
        }
    }
}

struct Found {
    path: PathBuf,
    size: u64,
    mtime_ns: i64,
}

fn mtime_ns(md: &std::fs::Metadata) -> i64 {
    md.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().min(i64::MAX as u128) as i64)
        .unwrap_or(0)
}

fn failure(
    path: &Path,
    size: Option<u64>,
    mtime: Option<i64>,
    e: &EngineError,
    version: &str,
) -> Failure {
    let (kind, stage) = e.kind_and_stage();
    Failure {
        path: path.to_path_buf(),
        kind,
        reason: e.chain(),
        stage: stage.into(),
        size,
        mtime_ns: mtime,
        analysis_version: Some(version.to_string()),
        time: flowstate_corpus::now_unix(),
    }
}

/// A file's successful analysis as the corpus row it becomes.
fn scanned(f: &Found, version: &str, a: crate::FileAnalysis) -> ScannedTrack {
    ScannedTrack {
        path: f.path.clone(),
        size: f.size,
        mtime_ns: f.mtime_ns,
        analysis_version: version.to_string(),
        doc: a.doc,
        artifacts: a.artifacts,
        embeddings: a.embeddings,
    }
}

/// The single writer's bookkeeping for a file's outcome: commit it (one transaction),
/// count it in the summary, report progress.
struct Writer<'a> {
    corpus: &'a mut Corpus,
    summary: &'a mut ScanSummary,
    progress: &'a mut dyn FnMut(&ScanEvent<'_>),
    done: usize,
    total: usize,
}

impl Writer<'_> {
    fn report(&mut self, path: &Path, outcome: crate::FileOutcome, failure: Option<&Failure>) {
        self.done += 1;
        (self.progress)(&ScanEvent::File {
            path,
            outcome,
            failure,
            done: self.done,
            total: self.total,
        });
    }

    fn linked(&mut self, f: &Found, track_id: &str) -> Result<(), EngineError> {
        self.corpus
            .link_file(&f.path, track_id, f.size, f.mtime_ns)?;
        self.summary.linked += 1;
        self.report(&f.path, crate::FileOutcome::Linked, None);
        Ok(())
    }

    fn analysed(&mut self, t: &ScannedTrack) -> Result<(), EngineError> {
        self.corpus.commit_scanned(t)?;
        self.summary.analysed += 1;
        self.report(&t.path, crate::FileOutcome::Analysed, None);
        Ok(())
    }

    fn failed(&mut self, fl: &Failure) -> Result<(), EngineError> {
        self.corpus.record_failure(fl)?;
        self.summary.failed += 1;
        self.report(&fl.path, crate::FileOutcome::Failed, Some(fl));
        Ok(())
    }
}

fn discover(
    roots: &[PathBuf],
    follow: bool,
    progress: &mut dyn FnMut(&ScanEvent<'_>),
    walk_failures: &mut Vec<Failure>,
    version: &str,
) -> Vec<Found> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for root in roots {
        for entry in walkdir::WalkDir::new(root)
            .follow_links(follow)
            .sort_by_file_name()
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let message = e.to_string();
                    if let Some(p) = e.path().map(Path::to_path_buf) {
                        if p.is_file() || flowstate_audio::is_audio_path(&p) {
                            let io = e
                                .into_io_error()
                                .unwrap_or_else(|| std::io::Error::other(message.clone()));
                            let err = EngineError::Io {
                                path: p.clone(),
                                source: io,
                            };
                            walk_failures.push(failure(&p, None, None, &err, version));
                        }
                    }
                    progress(&ScanEvent::WalkError { message });
                    continue;
                }
            };
            if !(entry.file_type().is_file() || (follow && entry.path().is_file())) {
                continue;
            }
            let path = entry.path();
            if !flowstate_audio::is_audio_path(path) {
                continue;
            }
            // Skip AppleDouble / hidden resource forks ("._track.mp3").
            if path
                .file_name()
                .and_then(|n| n.to_str())
                .map(|n| n.starts_with("._"))
                .unwrap_or(false)
            {
                continue;
            }
            let md = match entry.metadata() {
                Ok(m) => m,
                Err(e) => {
                    progress(&ScanEvent::WalkError {
                        message: e.to_string(),
                    });
                    continue;
                }
            };
            if seen.insert(path.to_path_buf()) {
                out.push(Found {
                    path: path.to_path_buf(),
                    size: md.len(),
                    mtime_ns: mtime_ns(&md),
                });
            }
        }
    }
    out
}

enum Work {
    /// Needs hashing then (maybe) analysis.
    Hash(Found),
}

enum Done {
    Analysed(Box<ScannedTrack>),
    Failed(Failure),
}

pub(crate) fn scan(
    corpus: &mut Corpus,
    dirs: &[PathBuf],
    opts: &ScanOptions,
    progress: &mut dyn FnMut(&ScanEvent<'_>),
) -> Result<ScanSummary, EngineError> {
    let start = Instant::now();
    let version = analysis_version(opts.analyze.hook.as_deref());
    let roots: Vec<PathBuf> = dirs
        .iter()
        .map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.clone()))
        .collect();
    let mut summary = ScanSummary::default();

    let mut walk_failures = Vec::new();
    for r in &roots {
        if !r.exists() {
            let err = EngineError::Io {
                path: r.clone(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            };
            progress(&ScanEvent::WalkError {
                message: err.chain(),
            });
        }
    }
    let found = discover(
        &roots,
        opts.follow_links,
        progress,
        &mut walk_failures,
        &version,
    );
    summary.files = found.len();

    let known = corpus.file_states()?;
    let failed_before = corpus.failure_states()?;
    let mut work = Vec::new();
    let mut relink = Vec::new();
    for f in found {
        if !opts.force {
            if let Some(k) = known.get(&f.path) {
                if k.size == f.size
                    && k.mtime_ns == f.mtime_ns
                    && k.analysis_version.as_deref() == Some(version.as_str())
                {
                    if k.present {
                        summary.unchanged += 1;
                    } else {
                        relink.push((f, k.track_id.clone()));
                    }
                    continue;
                }
            }
            if let Some(fl) = failed_before.get(&f.path) {
                if fl.size == Some(f.size)
                    && fl.mtime_ns == Some(f.mtime_ns)
                    && fl.analysis_version.as_deref() == Some(version.as_str())
                {
                    summary.failed_unchanged += 1;
                    continue;
                }
            }
        }
        work.push(Work::Hash(f));
    }
    progress(&ScanEvent::Discovered {
        files: summary.files,
        unchanged: summary.unchanged + summary.failed_unchanged,
        to_process: work.len() + relink.len(),
    });

    for f in walk_failures {
        corpus.record_failure(&f)?;
        summary.failed += 1;
    }
    let mut w = Writer {
        total: work.len() + relink.len(),
        done: 0,
        corpus: &mut *corpus,
        summary: &mut summary,
        progress: &mut *progress,
    };
    // A known file that reappeared unchanged (was missing): re-link.
    for (f, tid) in relink {
        w.linked(&f, &tid)?;
    }

    let threads = opts
        .threads
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(EngineError::Pool)?;
    let cancel = opts
        .cancel
        .clone()
        .unwrap_or_else(|| Arc::new(AtomicBool::new(false)));

    // Phase 1: hash the candidates (reads at most 1 MiB each) in parallel.
    let hashed: Vec<(Found, Result<String, EngineError>)> = pool.install(|| {
        work.into_par_iter()
            .map(|Work::Hash(f)| {
                let h = hash_file(&f.path);
                (f, h)
            })
            .collect()
    });

    // Classify by hash: known audio (current version) -> link; new -> analyse once per hash.
    let mut to_analyse: Vec<(Found, String)> = Vec::new();
    let mut dup_of_new: Vec<(Found, String)> = Vec::new();
    let mut new_hashes = HashSet::new();
    let mut version_cache: HashMap<String, bool> = HashMap::new();
    for (f, h) in hashed {
        match h {
            Err(e) => {
                w.failed(&failure(
                    &f.path,
                    Some(f.size),
                    Some(f.mtime_ns),
                    &e,
                    &version,
                ))?;
            }
            Ok(h) => {
                let up_to_date = if opts.force {
                    false
                } else if let Some(&v) = version_cache.get(&h) {
                    v
                } else {
                    let v =
                        w.corpus.track_version(&h)?.flatten().as_deref() == Some(version.as_str());
                    version_cache.insert(h.clone(), v);
                    v
                };
                if up_to_date {
                    w.linked(&f, &h)?;
                } else if new_hashes.insert(h.clone()) {
                    to_analyse.push((f, h));
                } else {
                    dup_of_new.push((f, h));
                }
            }
        }
    }

    // Phase 2: analyse on the pool; this thread is the single writer.
    let analyze_opts = opts.analyze.clone();
    let version_ref = version.clone();
    let (tx, rx) = std::sync::mpsc::channel::<Done>();
    let mut analysed_ok: HashSet<String> = HashSet::new();
    std::thread::scope(|s| -> Result<(), EngineError> {
        let cancel_w = cancel.clone();
        let pool_ref = &pool;
        s.spawn(move || {
            pool_ref.install(|| {
                to_analyse.into_par_iter().for_each_with(tx, |tx, (f, h)| {
                    if cancel_w.load(Ordering::Relaxed) {
                        return;
                    }
                    let d = match analyze_file(&f.path, Some(&h), &analyze_opts) {
                        Ok(a) => Done::Analysed(Box::new(scanned(&f, &version_ref, a))),
                        Err(e) => Done::Failed(failure(
                            &f.path,
                            Some(f.size),
                            Some(f.mtime_ns),
                            &e,
                            &version_ref,
                        )),
                    };
                    let _ = tx.send(d);
                });
            });
        });
        for d in rx.iter() {
            match d {
                Done::Analysed(t) => {
                    w.analysed(&t)?;
                    analysed_ok.insert(t.doc.track_id.clone());
                }
                Done::Failed(fl) => w.failed(&fl)?,
            }
        }
        Ok(())
    })?;

    // Duplicates of files analysed in this scan: link them (or re-run their failure).
    for (f, h) in dup_of_new {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        if analysed_ok.contains(&h) {
            w.linked(&f, &h)?;
            continue;
        }
        // the first copy failed: this one may be readable (its failure is its own)
        match analyze_file(&f.path, Some(&h), &opts.analyze) {
            Ok(a) => {
                w.analysed(&scanned(&f, &version, a))?;
                analysed_ok.insert(h);
            }
            Err(e) => w.failed(&failure(
                &f.path,
                Some(f.size),
                Some(f.mtime_ns),
                &e,
                &version,
            ))?,
        }
    }
    // (the writer's borrows of corpus and summary end here)
    summary.cancelled = cancel.load(Ordering::Relaxed);

    // Vanished files under the scanned roots: mark missing (data kept); forget failures.
    if !summary.cancelled {
        let under_roots = |p: &Path| roots.iter().any(|r| p.starts_with(r));
        let now_files = corpus.file_states()?;
        let vanished: Vec<PathBuf> = now_files
            .values()
            .filter(|k| k.present && under_roots(&k.path) && !k.path.exists())
            .map(|k| k.path.clone())
            .collect();
        summary.missing = corpus.mark_missing(&vanished)?;
        let gone_failures: Vec<PathBuf> = corpus
            .failures()?
            .into_iter()
            .filter(|f| under_roots(&f.path) && !f.path.exists())
            .map(|f| f.path)
            .collect();
        corpus.forget_failures(&gone_failures)?;
    }
    summary.seconds = start.elapsed().as_secs_f64();
    Ok(summary)
}
