//! `schedsim slurm`: the batch scripts that run a plan's shards as a Slurm job array
//! and merge them when every shard has succeeded.
//!
//! Three files go into the script folder: `shards.sbatch` (one array task per shard,
//! `-j` from `SLURM_CPUS_PER_TASK`, `--resume` so that a requeued task goes on where
//! it stopped), `merge.sbatch`, and `submit.sh`, which submits the first and the
//! second with `--dependency=afterok` on it (what `--submit` does from here). Paths
//! in them are absolute: a batch job starts wherever Slurm starts it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the scripts run, and how the array is asked for.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The schedsim binary.
    pub exe: PathBuf,
    /// The scenario files, absolute.
    pub scenarios: Vec<PathBuf>,
    /// The results folder, absolute.
    pub output: PathBuf,
    /// The folder the scripts and Slurm's logs go into, absolute.
    pub scripts: PathBuf,
    /// How many shards (array tasks).
    pub shards: usize,
    /// `--partition`.
    pub partition: Option<String>,
    /// `--time`.
    pub time: Option<String>,
    /// `--cpus-per-task`.
    pub cpus_per_task: u32,
    /// Further arguments of `schedsim run` (`--jobs all`, `--force`, ...).
    pub run_flags: Vec<String>,
}

/// `text` quoted for the shell: single quotes, each `'` inside as `'\''`.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn quote_path(path: &Path) -> String {
    quote(&path.to_string_lossy())
}

impl Batch {
    /// The `#SBATCH` lines both jobs share.
    fn common(&self, out: &mut String) {
        if let Some(p) = &self.partition {
            let _ = writeln!(out, "#SBATCH --partition={p}");
        }
        if let Some(t) = &self.time {
            let _ = writeln!(out, "#SBATCH --time={t}");
        }
    }

    /// The job array: shard `$SLURM_ARRAY_TASK_ID` of K on the task's CPUs.
    pub fn shards_script(&self) -> String {
        let mut s = String::from("#!/bin/bash\n# Written by `schedsim slurm`: one array task per shard of the plan.\n");
        let _ = writeln!(s, "#SBATCH --job-name=schedsim-shards");
        let _ = writeln!(s, "#SBATCH --array=1-{}", self.shards);
        let _ = writeln!(s, "#SBATCH --cpus-per-task={}", self.cpus_per_task);
        let _ = writeln!(s, "#SBATCH --output={}", self.scripts.join("shard-%A-%a.out").display());
        self.common(&mut s);
        s.push_str("set -euo pipefail\n");
        let scenarios: Vec<String> = self.scenarios.iter().map(|p| quote_path(p)).collect();
        let flags: Vec<String> = self.run_flags.iter().map(|f| quote(f)).collect();
        let _ = writeln!(
            s,
            "exec {} run --shard \"${{SLURM_ARRAY_TASK_ID}}/{}\" --resume -j \"${{SLURM_CPUS_PER_TASK:-1}}\" -q \
             -o {}{} {}",
            quote_path(&self.exe),
            self.shards,
            quote_path(&self.output),
            flags.iter().map(|f| format!(" {f}")).collect::<String>(),
            scenarios.join(" ")
        );
        s
    }

    /// The merge, run once every array task has succeeded.
    pub fn merge_script(&self) -> String {
        let mut s = String::from("#!/bin/bash\n# Written by `schedsim slurm`: merges the shards into the results.\n");
        let _ = writeln!(s, "#SBATCH --job-name=schedsim-merge");
        let _ = writeln!(s, "#SBATCH --cpus-per-task={}", self.cpus_per_task);
        let _ = writeln!(s, "#SBATCH --output={}", self.scripts.join("merge-%j.out").display());
        self.common(&mut s);
        s.push_str("set -euo pipefail\n");
        let _ = writeln!(s, "exec {} merge -q {}", quote_path(&self.exe), quote_path(&self.output));
        s
    }

    /// Submits both, as `--submit` does.
    pub fn submit_script(&self) -> String {
        let shards = quote_path(&self.scripts.join("shards.sbatch"));
        let merge = quote_path(&self.scripts.join("merge.sbatch"));
        format!(
            "#!/bin/sh\n# Written by `schedsim slurm`: submits the shards, then the merge once all succeeded.\n\
             set -eu\n\
             array=$(sbatch --parsable {shards})\n\
             array=${{array%%;*}}\n\
             merge=$(sbatch --parsable --dependency=afterok:$array {merge})\n\
             echo \"shards: job $array; merge: job ${{merge%%;*}}\"\n"
        )
    }

    /// Writes the three scripts into [`Batch::scripts`], returning their paths.
    ///
    /// # Errors
    /// A message naming the file.
    pub fn write(&self) -> Result<[PathBuf; 3], String> {
        std::fs::create_dir_all(&self.scripts)
            .map_err(|e| format!("cannot create '{}': {e}", self.scripts.display()))?;
        let files = [
            (self.scripts.join("shards.sbatch"), self.shards_script()),
            (self.scripts.join("merge.sbatch"), self.merge_script()),
            (self.scripts.join("submit.sh"), self.submit_script()),
        ];
        for (path, text) in &files {
            crate::output::write_atomic(path, text.as_bytes())
                .map_err(|e| format!("cannot write '{}': {e}", path.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
            }
        }
        let [(a, _), (b, _), (c, _)] = files;
        Ok([a, b, c])
    }

    /// Submits the array, then the merge depending on it; returns their job ids.
    ///
    /// # Errors
    /// A message with what `sbatch` said.
    pub fn submit(&self) -> Result<(String, String), String> {
        let array = sbatch(&[], &self.scripts.join("shards.sbatch"))?;
        let merge = sbatch(&[format!("--dependency=afterok:{array}")], &self.scripts.join("merge.sbatch"))?;
        Ok((array, merge))
    }
}

/// Runs `sbatch --parsable ARGS SCRIPT` and returns the job id it prints.
fn sbatch(args: &[String], script: &Path) -> Result<String, String> {
    let out = Command::new("sbatch")
        .arg("--parsable")
        .args(args)
        .arg(script)
        .output()
        .map_err(|e| format!("cannot run sbatch (is Slurm installed here?): {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "sbatch {} failed ({}): {}",
            script.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    // `--parsable` prints `ID` or `ID;CLUSTER`.
    let id = stdout.trim().split(';').next().unwrap_or("").to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("sbatch {} printed no job id: '{}'", script.display(), stdout.trim()));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> Batch {
        Batch {
            exe: "/opt/schedsim".into(),
            scenarios: vec!["/data/it's.toml".into()],
            output: "/data/out".into(),
            scripts: "/data/slurm".into(),
            shards: 3,
            partition: Some("short".into()),
            time: None,
            cpus_per_task: 4,
            run_flags: vec!["--force".into()],
        }
    }

    #[test]
    fn the_array_script_runs_one_shard_per_task() {
        let s = batch().shards_script();
        assert!(s.contains("#SBATCH --array=1-3\n"), "{s}");
        assert!(s.contains("#SBATCH --partition=short\n"), "{s}");
        assert!(!s.contains("--time"), "{s}");
        assert!(s.contains("#SBATCH --cpus-per-task=4\n"), "{s}");
        assert!(
            s.contains(
                "exec '/opt/schedsim' run --shard \"${SLURM_ARRAY_TASK_ID}/3\" --resume -j \"${SLURM_CPUS_PER_TASK:-1}\" \
                 -q -o '/data/out' '--force' '/data/it'\\''s.toml'"
            ),
            "{s}"
        );
        assert!(batch().merge_script().contains("exec '/opt/schedsim' merge -q '/data/out'"));
        assert!(batch().submit_script().contains("--dependency=afterok:$array"));
    }
}
