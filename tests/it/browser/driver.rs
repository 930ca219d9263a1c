//! The chromedriver process: started on a port of its own choosing, stopped
//! with every process it started (Chromium and its helpers).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// A running chromedriver. Dropping it kills chromedriver and whatever it
/// started that is still alive.
pub(super) struct Driver {
    child: Child,
    /// Holds chromedriver's log and Chromium's profile (`profile/`).
    dir: TempDir,
    pub(super) port: u16,
    /// Set once the WebDriver session was deleted: Chromium is then on its
    /// way out and gets a moment to exit by itself.
    pub(super) session_deleted: bool,
}

impl Driver {
    /// Starts `chromedriver --port=0` and reads the port it picked (no race
    /// with other tests for a "free" port).
    pub(super) fn spawn(chromedriver: &Path) -> Driver {
        let dir = tempfile::Builder::new()
            .prefix("musubi-browser-")
            .tempdir()
            .expect("temp dir for chromedriver");
        std::fs::create_dir(dir.path().join("profile")).expect("profile dir");
        let out = File::create(dir.path().join("chromedriver.out")).expect("chromedriver.out");
        let child = Command::new(chromedriver)
            .arg("--port=0")
            .arg(format!(
                "--log-path={}",
                dir.path().join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("dup chromedriver.out"))
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", chromedriver.display()));
        // From here on, a panic drops `driver` and so kills chromedriver.
        let mut driver = Driver {
            child,
            dir,
            port: 0,
            session_deleted: false,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let out = std::fs::read_to_string(driver.dir.path().join("chromedriver.out"))
                .unwrap_or_default();
            if let Some(port) = started_port(&out) {
                driver.port = port;
                return driver;
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!(
                    "chromedriver exited with {status} before listening:\n{out}{}",
                    driver.log_tail()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "chromedriver did not say which port it listens on within 15 s:\n{out}{}",
                    driver.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A fresh, empty Chromium profile of this driver's own.
    pub(super) fn profile_dir(&self) -> PathBuf {
        self.dir.path().join("profile")
    }

    /// What chromedriver logged that may explain a failure: its warnings,
    /// errors and Chromium's command line, then its last lines.
    pub(super) fn log_tail(&self) -> String {
        let log =
            std::fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let mut picked: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| {
                l.contains("[WARNING]") || l.contains("[SEVERE]") || l.contains("Launching chrome")
            })
            .collect();
        picked.truncate(20);
        picked.push("…");
        picked.extend(&lines[lines.len().saturating_sub(8)..]);
        if lines.is_empty() {
            String::new()
        } else {
            format!(
                "\n--- chromedriver.log (excerpt) ---\n{}",
                picked.join("\n")
            )
        }
    }

    /// Whether chromedriver is still running.
    pub(super) fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pid = self.child.id();
        // The session is normally deleted by now and Chromium on its way out:
        // give it a moment to exit on its own.
        let grace = if self.session_deleted { 5 } else { 0 };
        let deadline = Instant::now() + Duration::from_secs(grace);
        let mut left = descendants(pid);
        while !left.is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            left = descendants(pid);
        }
        // Then kill what is left, children first seen before chromedriver
        // goes (after that they are re-parented and no longer ours to find).
        if !left.is_empty() {
            let _ = Command::new("kill")
                .arg("-KILL")
                .args(left.iter().map(u32::to_string))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Parses "ChromeDriver was started successfully on port 41234."
fn started_port(out: &str) -> Option<u16> {
    let line = out
        .lines()
        .find(|l| l.contains("started successfully on port"))?;
    let digits: String = line
        .rsplit("port")
        .next()?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok().filter(|&p| p != 0)
}

/// Live (non-zombie) descendants of `root`, from /proc.
fn descendants(root: u32) -> BTreeSet<u32> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return BTreeSet::new();
    };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid …"; comm may contain spaces and parentheses.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next().unwrap_or("");
        let Some(ppid) = fields.next().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if state != "Z" && state != "X" {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut found = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(p) = todo.pop() {
        for &c in children.get(&p).map(Vec::as_slice).unwrap_or_default() {
            if found.insert(c) {
                todo.push(c);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::started_port;

    #[test]
    fn reads_the_port_chromedriver_picked() {
        let out = "Starting ChromeDriver 156.0.8078.79 (a21c…) on port 0\n\
                   Only local connections are allowed.\n\
                   ChromeDriver was started successfully on port 36309.\n";
        assert_eq!(started_port(out), Some(36309));
        assert_eq!(started_port("Starting ChromeDriver on port 0\n"), None);
    }
}
