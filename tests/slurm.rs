//! A real Slurm: munged, slurmctld and slurmd started on this machine (one node of 2
//! CPUs), the scripts `schedsim slurm` writes for a three-shard sweep submitted to
//! it, and the merged folder compared with a local run byte for byte.
//!
//! It needs root and Debian's `slurmctld slurmd slurm-client munge` (`.ci/run`
//! installs them). In CI (`CI=true`) a missing one fails the test; elsewhere the test
//! says why it is skipped and passes.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The daemons this test started, stopped by process id when it ends, however it ends.
struct Daemons(Vec<(&'static str, Child)>);

impl Drop for Daemons {
    fn drop(&mut self) {
        // slurmd first, munged last: the others talk to it while they stop.
        for (name, child) in self.0.iter_mut().rev() {
            let pid = child.id() as libc::pid_t;
            // SAFETY: a signal to a child this test spawned and has not reaped.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(10);
            while child.try_wait().ok().flatten().is_none() {
                if Instant::now() > deadline {
                    eprintln!("{name} (process {pid}) did not stop on SIGTERM: killed");
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Why the test cannot run here, if it cannot.
fn missing() -> Option<String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some("slurmd and munged need root".into());
    }
    let tools = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo"];
    let absent: Vec<&str> = tools.iter().copied().filter(|t| which(t).is_none()).collect();
    (!absent.is_empty())
        .then(|| format!("{} not installed (apt-get install slurmctld slurmd slurm-client munge)", absent.join(", ")))
}

fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    let found = path.split(':').chain(["/usr/sbin", "/sbin"]).map(|d| Path::new(d).join(tool)).find(|p| p.is_file());
    found
}

/// A TCP port free now (the OS picks it).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn hostname() -> String {
    let out = Command::new("hostname").arg("-s").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Spawns `tool args` with its output in `log`.
fn spawn(tool: &str, args: &[&str], log: &Path, conf: &Path) -> Child {
    let log = std::fs::File::create(log).unwrap();
    Command::new(which(tool).unwrap())
        .args(args)
        .env("SLURM_CONF", conf)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {tool}: {e}"))
}

/// Runs a Slurm client and returns what it printed.
fn client(tool: &str, args: &[&str], conf: &Path) -> String {
    let out = Command::new(which(tool).unwrap()).args(args).env("SLURM_CONF", conf).output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Everything the daemons and jobs logged, for a failure's message.
fn logs(dirs: &[&Path]) -> String {
    let mut text = String::new();
    for dir in dirs {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|x| x == "log" || x == "out") {
                let body = std::fs::read_to_string(&p).unwrap_or_default();
                let tail: Vec<&str> = body.lines().rev().take(15).collect();
                text += &format!("\n--- {} ---\n", p.display());
                text += &tail.into_iter().rev().collect::<Vec<_>>().join("\n");
            }
        }
    }
    text
}

/// Waits for `done` (polled every half second) up to `limit`, or fails with `what`.
fn wait_for(limit: Duration, what: &str, context: &dyn Fn() -> String, done: &mut dyn FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}:{}", context());
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn slurm_conf(dir: &Path, host: &str) -> String {
    let d = dir.display();
    format!(
        "ClusterName=schedsimtest\nSlurmctldHost={host}\nSlurmUser=root\nSlurmdUser=root\n\
         SlurmctldPort={}\nSlurmdPort={}\nAuthType=auth/munge\nCredType=cred/munge\n\
         AuthInfo=socket={d}/munge.sock\nStateSaveLocation={d}/state\nSlurmdSpoolDir={d}/spool\n\
         SlurmctldPidFile={d}/slurmctld.pid\nSlurmdPidFile={d}/slurmd.pid\n\
         SlurmctldLogFile={d}/slurmctld.log\nSlurmdLogFile={d}/slurmd.log\n\
         ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nSelectType=select/cons_tres\n\
         SelectTypeParameters=CR_CPU\nSchedulerType=sched/backfill\nJobCompType=jobcomp/none\n\
         AccountingStorageType=accounting_storage/none\nJobAcctGatherType=jobacct_gather/none\nMpiDefault=none\n\
         ReturnToService=2\nNodeName={host} CPUs=2 State=UNKNOWN\n\
         PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP\n",
        free_port(),
        free_port()
    )
}

#[test]
fn a_three_shard_sweep_on_slurm_merges_to_the_bytes_of_one_run() {
    if let Some(why) = missing() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(!ci, "the Slurm test must run in CI, but {why}");
        eprintln!("skipping the Slurm test: {why}");
        return;
    }
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let daemons_dir = tmp.path().join("slurm");
    for sub in ["state", "spool"] {
        std::fs::create_dir_all(daemons_dir.join(sub)).unwrap();
    }
    let d = &daemons_dir;
    let host = hostname();
    let conf = d.join("slurm.conf");
    std::fs::write(&conf, slurm_conf(d, &host)).unwrap();
    // A key of the test's own, readable by root alone, as munged requires.
    let key: Vec<u8> = (0..1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(d.join("munge.key"), key).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join("munge.key"), std::fs::Permissions::from_mode(0o400)).unwrap();
    }
    let path = |name: &str| d.join(name).to_string_lossy().into_owned();
    let mut daemons = Daemons(Vec::new());
    let munged_args = [
        "-F".to_string(),
        "-f".into(),
        format!("--socket={}", path("munge.sock")),
        format!("--key-file={}", path("munge.key")),
        format!("--log-file={}", path("munged.log")),
        format!("--pid-file={}", path("munged.pid")),
        format!("--seed-file={}", path("munged.seed")),
    ];
    let munged_args: Vec<&str> = munged_args.iter().map(String::as_str).collect();
    daemons.0.push(("munged", spawn("munged", &munged_args, &d.join("munged.out"), &conf)));
    let context = || logs(&[d]);
    wait_for(Duration::from_secs(30), "munged's socket", &context, &mut || d.join("munge.sock").exists());
    let conf_arg = conf.to_string_lossy().into_owned();
    daemons.0.push(("slurmctld", spawn("slurmctld", &["-D", "-c", "-f", &conf_arg], &d.join("slurmctld.out"), &conf)));
    daemons.0.push(("slurmd", spawn("slurmd", &["-D", "-f", &conf_arg], &d.join("slurmd.out"), &conf)));
    wait_for(Duration::from_secs(60), "the node to be idle", &context, &mut || {
        client("sinfo", &["-h", "-o", "%T"], &conf).trim() == "idle"
    });

    // The sweep, cut into three shards on the cluster.
    let scenario = std::fs::canonicalize("tests/data/stormy.toml").unwrap();
    let merged = tmp.path().join("merged");
    let scripts = tmp.path().join("scripts");
    let submitted = Command::new(assert_cmd::cargo::cargo_bin("schedsim"))
        .args(["slurm", "--shards", "3", "--cpus-per-task", "1", "--time", "10:00", "--submit", "-o"])
        .arg(&merged)
        .arg("--scripts")
        .arg(&scripts)
        .arg(&scenario)
        .env("SLURM_CONF", &conf)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&submitted.stdout).into_owned();
    assert!(submitted.status.success(), "{said}{}", String::from_utf8_lossy(&submitted.stderr));
    let merge_job = said
        .lines()
        .find_map(|l| l.strip_prefix("submitted the shards as job "))
        .and_then(|l| l.split(" and the merge as job ").nth(1))
        .unwrap_or_else(|| panic!("no job ids in: {said}"))
        .trim()
        .to_string();
    let context = || format!("{}\nsqueue: {}", logs(&[d, &scripts]), client("squeue", &[], &conf));
    // Until the merge job has left the queue (or ended, while slurmctld still lists it).
    wait_for(Duration::from_secs(600), "the merge job", &context, &mut || {
        let state = client("squeue", &["-h", "-t", "all", "-j", &merge_job, "-o", "%T %r"], &conf);
        assert!(!state.contains("DependencyNeverSatisfied"), "a shard failed:{}", context());
        let ended = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY"];
        state.trim().is_empty() || state.contains("Invalid job id") || ended.iter().any(|e| state.starts_with(e))
    });
    assert!(merged.join("index.html").is_file(), "the merge job ended without results:{}", context());

    // The same sweep on this machine, in one run.
    let local = tmp.path().join("local");
    let ran = Command::new(assert_cmd::cargo::cargo_bin("schedsim"))
        .args(["run", "-q", "-o"])
        .arg(&local)
        .arg(&scenario)
        .status()
        .unwrap();
    assert!(ran.success());
    crate::shards::assert_same_folders(&local, &merged);
    drop(daemons);
    eprintln!("the Slurm test took {:.0} s", started.elapsed().as_secs_f64());
}
