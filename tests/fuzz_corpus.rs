//! The fuzz targets' corpus and every crash they found (`fuzz/corpus/<target>/`,
//! `fuzz/regressions/<target>/`), replayed through the same entry points under stable
//! `cargo test`: an input that once panicked stays fixed without a nightly toolchain.

use std::path::Path;

type Target = fn(&[u8], &Path) -> bool;

/// Every target, by its folder name in `fuzz/`.
const TARGETS: [(&str, Target); 6] = [
    ("scenario", schedsim::fuzz::scenario),
    ("swf", |d, dir| schedsim::fuzz::trace(d, "swf", dir)),
    ("csv_trace", |d, dir| schedsim::fuzz::trace(d, "csv", dir)),
    ("results", schedsim::fuzz::results),
    ("run", schedsim::fuzz::run),
    ("workflow", |d, _| schedsim::fuzz::workflow(d)),
];

/// The files of `fuzz/<kind>/<target>/`, sorted (none if the folder is absent).
fn inputs(kind: &str, target: &str) -> Vec<std::path::PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(kind).join(target);
    let mut files: Vec<_> = match std::fs::read_dir(&folder) {
        Ok(entries) => entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

#[test]
fn every_corpus_input_and_every_crash_found_returns_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    for (target, entry) in TARGETS {
        let corpus = inputs("corpus", target);
        // A target without a corpus would replay nothing and pass: the seeds are committed.
        assert!(!corpus.is_empty(), "fuzz/corpus/{target}/ has no input");
        let mut accepted = 0;
        for path in corpus.iter().chain(&inputs("regressions", target)) {
            let data = std::fs::read(path).unwrap();
            match std::panic::catch_unwind(|| entry(&data, dir.path())) {
                Ok(ok) => accepted += usize::from(ok),
                Err(_) => panic!("{target}: {} panicked", path.display()),
            }
        }
        // Seeds that all stop at the first check would leave the deep code untried.
        assert!(accepted > 0, "{target}: no input of the corpus gets past the checks");
    }
}
