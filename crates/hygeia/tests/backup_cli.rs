//! End-to-end tests of `hygeia backup`: S3 against a real S3-compatible server on loopback
//! (moto, which `.ci/run` installs), restic reading what Hygeia wrote, plans, an interrupted
//! backup, and `hygeia check` measuring HY-BK-003..005 from it all.

use hygeia_backup::s3::client::Client;
use hygeia_backup::s3::sigv4::Credentials;
use serde_json::Value;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery staple";

/// `hygeia` with its config folder in `config`, the backup password and S3 credentials set.
fn hygeia(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hygeia"))
        .args(args)
        .env("HYGEIA_CONFIG_DIR", config)
        .env("HYGEIA_BACKUP_PASSWORD", PASSWORD)
        .env("AWS_ACCESS_KEY_ID", "hygeia-test")
        .env("AWS_SECRET_ACCESS_KEY", "hygeia-test-secret")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("XDG_CACHE_HOME", config.join("cache"))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run hygeia: {e}"))
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Incompressible bytes, so packs are as large as the data.
fn noise(length: usize, mut state: u64) -> Vec<u8> {
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn documents(root: &Path) -> PathBuf {
    let source = root.join("Documents");
    std::fs::create_dir_all(source.join("Letters")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(source.join("Letters/referral.txt"), "Dear colleague,\n")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(source.join("scan.pdf"), noise(300_000, 7)).unwrap_or_else(|e| panic!("{e}"));
    source
}

fn same_file(a: &Path, b: &Path) {
    let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert!(
        read(a) == read(b),
        "{} differs from {}",
        b.display(),
        a.display()
    );
}

/// The moto S3 server, stopped when dropped.
struct S3Server {
    child: Child,
    endpoint: String,
    _dir: tempfile::TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl S3Server {
    /// Starts moto on a free loopback port; `None` (with the reason printed) when it is not
    /// installed outside CI.
    fn start() -> Option<S3Server> {
        let program =
            std::env::var("HYGEIA_TEST_S3_SERVER").unwrap_or_else(|_| "moto_server".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) => {
                let hint = format!(
                    "the S3 test server {program} cannot start ({e}): install it with `python3 -m venv V && V/bin/pip install 'moto[server]'` and set HYGEIA_TEST_S3_SERVER=V/bin/moto_server (.ci/run does)"
                );
                assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{hint}");
                eprintln!("skipped: {hint}");
                return None;
            }
        };
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto did not start listening on {port}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Some(server)
    }

    fn client(&self, bucket: &str) -> Client {
        Client::new(
            &self.endpoint,
            bucket,
            "us-east-1",
            Credentials {
                access_key: "hygeia-test".into(),
                secret_key: "hygeia-test-secret".into(),
                session_token: None,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }
}

fn restic(repo: &str, cache: &Path, args: &[&str]) -> Option<String> {
    if Command::new("restic").arg("version").output().is_err() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "restic is not installed (apt-get install restic)"
        );
        eprintln!("skipped the restic part: restic is not installed (apt-get install restic)");
        return None;
    }
    let output = Command::new("restic")
        .args(["--repo", repo])
        .args(args)
        .env("RESTIC_PASSWORD", PASSWORD)
        .env("RESTIC_CACHE_DIR", cache)
        .env("AWS_ACCESS_KEY_ID", "hygeia-test")
        .env("AWS_SECRET_ACCESS_KEY", "hygeia-test-secret")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run restic: {e}"));
    Some(ok(&output))
}

fn control(report: &Value, id: &str) -> Value {
    report["controls"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("no {id} in the report"))
}

#[test]
fn s3_backups_come_back_through_hygeia_and_restic_and_make_the_check_measured() {
    let Some(server) = S3Server::start() else {
        return;
    };
    server
        .client("locked")
        .create_bucket(true)
        .unwrap_or_else(|e| panic!("{e}"));
    server
        .client("locked")
        .set_default_retention("GOVERNANCE", 7)
        .unwrap_or_else(|e| panic!("{e}"));
    server
        .client("plain")
        .create_bucket(false)
        .unwrap_or_else(|e| panic!("{e}"));

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("config");
    let source = documents(dir.path());
    let cloud = format!("s3:{}/locked/exam-room-3", server.endpoint);
    let source_text = source.display().to_string();

    ok(&hygeia(&config, &["backup", "init", "--repo", &cloud]));
    let again = hygeia(&config, &["backup", "init", "--repo", &cloud]);
    assert_eq!(again.status.code(), Some(2));
    ok(&hygeia(
        &config,
        &["backup", "run", "--repo", &cloud, &source_text],
    ));
    let target = dir.path().join("restored");
    ok(&hygeia(
        &config,
        &[
            "backup",
            "restore",
            "--repo",
            &cloud,
            "--target",
            &target.display().to_string(),
        ],
    ));
    let back = target.join(source.strip_prefix("/").unwrap_or(&source));
    same_file(&source.join("scan.pdf"), &back.join("scan.pdf"));
    same_file(
        &source.join("Letters/referral.txt"),
        &back.join("Letters/referral.txt"),
    );

    // restic reads the same bucket.
    let cache = dir.path().join("restic-cache");
    let restic_repo = format!("s3:{}/locked/exam-room-3", server.endpoint);
    if let Some(listed) = restic(&restic_repo, &cache, &["snapshots", "--json"]) {
        assert!(listed.contains(&source_text), "{listed}");
        let by_restic = dir.path().join("by-restic");
        restic(
            &restic_repo,
            &cache,
            &[
                "restore",
                "latest",
                "--target",
                &by_restic.display().to_string(),
            ],
        );
        let back = by_restic.join(source.strip_prefix("/").unwrap_or(&source));
        same_file(&source.join("scan.pdf"), &back.join("scan.pdf"));
        restic(&restic_repo, &cache, &["check", "--read-data"]);
    }

    // A plan: a folder and the locked bucket; then the check measures the copies.
    let usb = dir.path().join("usb");
    ok(&hygeia(
        &config,
        &["backup", "init", "--repo", &usb.display().to_string()],
    ));
    ok(&hygeia(
        &config,
        &[
            "backup",
            "plan",
            "--source",
            &source_text,
            "--destination",
            &format!("usb={}", usb.display()),
            "--destination",
            &format!("cloud={cloud}"),
            // Restore tests by hand here, to see HY-BK-005 change with `verify`.
            "--verify-every-days",
            "0",
        ],
    ));
    let ran = ok(&hygeia(&config, &["backup", "run"]));
    assert!(
        ran.contains("usb: snapshot") && ran.contains("cloud: snapshot"),
        "{ran}"
    );
    let status = json(&hygeia(&config, &["backup", "status", "--format", "json"]));
    assert_eq!(status["schema"], "hygeia.backup-status/1");
    assert_eq!(
        status["destinations"][1]["object_lock"]["days"], 7,
        "{status}"
    );
    assert_eq!(
        status["destinations"][1]["object_lock"]["mode"],
        "GOVERNANCE"
    );
    assert_eq!(
        status["coverage"]["offline"][0]["destination"], "cloud",
        "{status}"
    );
    assert_eq!(status["complete"], false, "no restore test yet");

    let report = json(&hygeia(&config, &["check", "--format", "json"]));
    assert_eq!(
        control(&report, "HY-BK-003")["status"],
        "pass",
        "{}",
        control(&report, "HY-BK-003")
    );
    assert_eq!(control(&report, "HY-BK-004")["status"], "pass");
    assert_eq!(control(&report, "HY-BK-005")["status"], "fail");

    let verified = ok(&hygeia(
        &config,
        &["backup", "verify", "--read-data-subset", "100%"],
    ));
    assert!(verified.contains("cloud: no error found."), "{verified}");
    let report = json(&hygeia(&config, &["check", "--format", "json"]));
    let tested = control(&report, "HY-BK-005");
    assert_eq!(tested["status"], "pass", "{tested}");
    assert_eq!(tested["measured"], "automatic");

    // A bucket without Object Lock is not an immutable copy.
    let plain = format!("s3:{}/plain/exam-room-3", server.endpoint);
    ok(&hygeia(&config, &["backup", "init", "--repo", &plain]));
    ok(&hygeia(
        &config,
        &[
            "backup",
            "plan",
            "--destination",
            &format!("usb={}", usb.display()),
            "--destination",
            &format!("cloud={plain}"),
        ],
    ));
    ok(&hygeia(&config, &["backup", "run"]));
    let status = json(&hygeia(&config, &["backup", "status", "--format", "json"]));
    assert_eq!(
        status["destinations"][1]["object_lock"],
        Value::Null,
        "{status}"
    );
    assert_eq!(
        status["coverage"]["offline"],
        serde_json::json!([]),
        "{status}"
    );
}

#[test]
fn plain_http_to_another_computer_is_refused_before_any_packet() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // 192.0.2.1 is TEST-NET-1: nothing is sent there; the refusal comes first.
    let refused = hygeia(
        dir.path(),
        &["backup", "init", "--repo", "s3:http://192.0.2.1/b/p"],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("plain http"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn an_interrupted_backup_leaves_the_repository_usable() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("config");
    let source = documents(dir.path());
    for i in 0..8u64 {
        std::fs::write(
            source.join(format!("imaging-{i}.dcm")),
            noise(12 << 20, i + 11),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let repo = dir.path().join("repo").display().to_string();
    ok(&hygeia(&config, &["backup", "init", "--repo", &repo]));
    let mut running = Command::new(env!("CARGO_BIN_EXE_hygeia"))
        .args([
            "backup",
            "run",
            "--repo",
            &repo,
            &source.display().to_string(),
        ])
        .env("HYGEIA_BACKUP_PASSWORD", PASSWORD)
        .env("XDG_CACHE_HOME", config.join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(400));
    // SIGKILL: no chance to clean up, as when the laptop's battery dies.
    let _ = running.kill();
    let _ = running.wait();

    ok(&hygeia(
        &config,
        &[
            "backup",
            "run",
            "--repo",
            &repo,
            &source.display().to_string(),
        ],
    ));
    let verified = ok(&hygeia(
        &config,
        &[
            "backup",
            "verify",
            "--repo",
            &repo,
            "--read-data-subset",
            "100%",
        ],
    ));
    assert!(verified.contains("no error found"), "{verified}");
    if let Some(checked) = restic(
        &repo,
        &dir.path().join("restic-cache"),
        &["check", "--read-data"],
    ) {
        assert!(checked.contains("no errors were found"), "{checked}");
    }
}

#[test]
fn plans_are_explained_when_missing_or_incomplete() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let no_plan = hygeia(dir.path(), &["backup", "run"]);
    assert_eq!(no_plan.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_plan.stderr).contains("no backup plan yet"));
    let one = hygeia(
        dir.path(),
        &[
            "backup",
            "plan",
            "--source",
            "/tmp",
            "--destination",
            "usb=/media/usb/x",
        ],
    );
    assert_eq!(one.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&one.stderr).contains("at least two destinations"));
    let bad = hygeia(
        dir.path(),
        &["backup", "plan", "--source", "/tmp", "--destination", "usb"],
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("NAME=LOCATION"));
    let status = hygeia(dir.path(), &["backup", "status"]);
    assert_eq!(status.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&status.stdout).contains("No backup plan yet"));
    let subset = hygeia(
        dir.path(),
        &[
            "backup",
            "verify",
            "--repo",
            "/nowhere",
            "--read-data-subset",
            "150%",
        ],
    );
    assert_eq!(subset.status.code(), Some(2));
}

/// A file that cannot be read is left out and named; the backup itself succeeds. As root every
/// file is readable, so then the backup runs as `nobody` (uid 65534).
#[cfg(unix)]
#[test]
fn an_unreadable_file_is_reported_and_the_backup_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let open = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    open(dir.path(), 0o777);
    let source = dir.path().join("Documents");
    std::fs::create_dir(&source).unwrap_or_else(|e| panic!("{e}"));
    open(&source, 0o755);
    std::fs::write(source.join("letter.txt"), "Dear colleague,\n")
        .unwrap_or_else(|e| panic!("{e}"));
    open(&source.join("letter.txt"), 0o644);
    std::fs::write(source.join("locked.pdf"), "secret").unwrap_or_else(|e| panic!("{e}"));
    open(&source.join("locked.pdf"), 0o000);
    let repo = dir.path().join("repo").display().to_string();
    let as_someone = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hygeia"));
        command
            .args(args)
            .env("HYGEIA_BACKUP_PASSWORD", PASSWORD)
            .env("HYGEIA_CONFIG_DIR", dir.path().join("config"))
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .env("HOME", dir.path())
            .stdin(Stdio::null());
        if running_as_root() {
            command.uid(65534).gid(65534);
        }
        command
            .output()
            .unwrap_or_else(|e| panic!("cannot run hygeia: {e}"))
    };
    ok(&as_someone(&["backup", "init", "--repo", &repo]));
    let ran = as_someone(&[
        "backup",
        "run",
        "--repo",
        &repo,
        &source.display().to_string(),
    ]);
    let said = ok(&ran);
    assert!(said.contains("1 new"), "{said}");
    let warned = String::from_utf8_lossy(&ran.stderr);
    assert!(
        warned.contains("1 file(s) could not be read") && warned.contains("locked.pdf"),
        "{warned}"
    );
}

/// Whether this test runs as root (through the id the kernel reports for this process's files).
#[cfg(unix)]
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// Debian's OpenSSH server on a loopback port, from a configuration of the test's own (its host
/// key, one authorized client key, SFTP only), stopped when dropped.
struct SshServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    user: String,
}

impl Drop for SshServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_quietly(program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl SshServer {
    fn start() -> Option<SshServer> {
        let sshd = "/usr/sbin/sshd";
        if !Path::new(sshd).exists() || Command::new("ssh-keygen").arg("-?").output().is_err() {
            let hint = "the SFTP test needs Debian's openssh-server and openssh-client (.ci/run installs them)";
            assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{hint}");
            eprintln!("skipped: {hint}");
            return None;
        }
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = |name: &str| dir.path().join(name).display().to_string();
        std::fs::create_dir_all(dir.path().join("home/.ssh")).unwrap_or_else(|e| panic!("{e}"));
        run_quietly(
            "ssh-keygen",
            &["-q", "-t", "ed25519", "-N", "", "-f", &path("host_key")],
        );
        run_quietly(
            "ssh-keygen",
            &[
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-f",
                &path("home/.ssh/id_ed25519"),
            ],
        );
        std::fs::copy(
            dir.path().join("home/.ssh/id_ed25519.pub"),
            dir.path().join("authorized_keys"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let host_key = read_text(&dir.path().join("host_key.pub"));
        let mut fields = host_key.split_whitespace();
        let (algorithm, key) = (fields.next().unwrap_or(""), fields.next().unwrap_or(""));
        std::fs::write(
            dir.path().join("home/.ssh/known_hosts"),
            format!("[127.0.0.1]:{port} {algorithm} {key}\n"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n\
             PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nSubsystem sftp internal-sftp\nLogLevel ERROR\n",
            path("host_key"),
            path("sshd.pid"),
            path("authorized_keys")
        );
        std::fs::write(dir.path().join("sshd_config"), config).unwrap_or_else(|e| panic!("{e}"));
        if running_as_root() {
            // sshd's privilege separation needs its empty folder.
            let _ = std::fs::create_dir_all("/run/sshd");
        }
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f", &path("sshd_config")])
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(dir.path().join("sshd.log"))
                    .map(Stdio::from)
                    .unwrap_or(Stdio::null()),
            )
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start sshd: {e}"));
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "sshd did not listen on {port}: {}",
                std::fs::read_to_string(dir.path().join("sshd.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let user = String::from_utf8_lossy(
            &Command::new("id")
                .arg("-un")
                .output()
                .map(|o| o.stdout)
                .unwrap_or_default(),
        )
        .trim()
        .to_string();
        Some(SshServer {
            child,
            port,
            dir,
            user,
        })
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn repo(&self, name: &str) -> String {
        format!(
            "sftp://{}@127.0.0.1:{}/{}",
            self.user,
            self.port,
            self.dir.path().join(name).display()
        )
    }
}

/// `hygeia` with the test's own HOME (its SSH key and known_hosts) and no SSH agent.
fn hygeia_ssh(home: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hygeia"))
        .args(args)
        .env("HOME", home)
        .env_remove("SSH_AUTH_SOCK")
        .env_remove("HYGEIA_SSH_KEY")
        .env("HYGEIA_CONFIG_DIR", config)
        .env("HYGEIA_BACKUP_PASSWORD", PASSWORD)
        .env("XDG_CACHE_HOME", config.join("cache"))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run hygeia: {e}"))
}

#[test]
fn sftp_backups_come_back_through_hygeia_and_restic_and_unknown_servers_are_refused() {
    let Some(server) = SshServer::start() else {
        return;
    };
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = work.path().join("config");
    let source = documents(work.path());
    let repo = server.repo("remote/exam-room-3");

    ok(&hygeia_ssh(
        &server.home(),
        &config,
        &["backup", "init", "--repo", &repo],
    ));
    ok(&hygeia_ssh(
        &server.home(),
        &config,
        &[
            "backup",
            "run",
            "--repo",
            &repo,
            &source.display().to_string(),
        ],
    ));
    let target = work.path().join("restored");
    ok(&hygeia_ssh(
        &server.home(),
        &config,
        &[
            "backup",
            "restore",
            "--repo",
            &repo,
            "--target",
            &target.display().to_string(),
        ],
    ));
    let back = target.join(source.strip_prefix("/").unwrap_or(&source));
    same_file(&source.join("scan.pdf"), &back.join("scan.pdf"));

    // restic reads it through OpenSSH with the same key and known_hosts.
    let ssh_command = format!(
        "ssh -i {} -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -o BatchMode=yes -p {} {}@127.0.0.1 -s sftp",
        server.home().join(".ssh/id_ed25519").display(),
        server.home().join(".ssh/known_hosts").display(),
        server.port,
        server.user
    );
    let restic_repo = format!(
        "sftp:{}@127.0.0.1:{}",
        server.user,
        server.dir.path().join("remote/exam-room-3").display()
    );
    let cache = work.path().join("restic-cache");
    let option = format!("sftp.command={ssh_command}");
    if let Some(listed) = restic(
        &restic_repo,
        &cache,
        &["-o", &option, "snapshots", "--json"],
    ) {
        assert!(listed.contains(&source.display().to_string()), "{listed}");
        restic(
            &restic_repo,
            &cache,
            &["-o", &option, "check", "--read-data"],
        );
    }

    // A server whose key is not known, or has changed, is refused before anything is sent.
    let stranger = work.path().join("stranger");
    std::fs::create_dir_all(stranger.join(".ssh")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(
        server.home().join(".ssh/id_ed25519"),
        stranger.join(".ssh/id_ed25519"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let unknown = hygeia_ssh(
        &stranger,
        &config,
        &["backup", "snapshots", "--repo", &repo],
    );
    assert_eq!(unknown.status.code(), Some(2));
    let said = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        said.contains("is not in") && said.contains("known_hosts"),
        "{said}"
    );
    let other_key = "AAAAC3NzaC1lZDI1NTE5AAAAILIG2T/B0l0gaqj3puu510tu9N1OkQ4znY3LYuEm5zCF";
    std::fs::write(
        stranger.join(".ssh/known_hosts"),
        format!("[127.0.0.1]:{} ssh-ed25519 {other_key}\n", server.port),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let changed = hygeia_ssh(
        &stranger,
        &config,
        &["backup", "snapshots", "--repo", &repo],
    );
    assert_eq!(changed.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&changed.stderr).contains("impersonating"),
        "{}",
        String::from_utf8_lossy(&changed.stderr)
    );

    // A key the server does not know is said plainly.
    std::fs::copy(
        server.home().join(".ssh/known_hosts"),
        stranger.join(".ssh/known_hosts"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    run_quietly(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-f",
            &stranger.join(".ssh/id_other").display().to_string(),
        ],
    );
    std::fs::remove_file(stranger.join(".ssh/id_ed25519")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(
        stranger.join(".ssh/id_other"),
        stranger.join(".ssh/id_ed25519"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let refused = hygeia_ssh(
        &stranger,
        &config,
        &["backup", "snapshots", "--repo", &repo],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("did not accept"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn a_plan_without_flags_is_asked_for_only_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let asked = hygeia(dir.path(), &["backup", "plan"]);
    assert_eq!(asked.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&asked.stderr).contains("run this on a terminal to be asked"),
        "{}",
        String::from_utf8_lossy(&asked.stderr)
    );
}
