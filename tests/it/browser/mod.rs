//! Browser tests: real headless Chromium driven over WebDriver.
//!
//! A [`Browser`] is one `chromedriver` (on a port of its own) with one
//! Chromium session (with a fresh profile of its own), so tests may run in
//! parallel. Dropping it — also when the test panics — deletes the session and
//! stops chromedriver and every process it started.
//!
//! ```ignore
//! let Some(b) = Browser::start().await else { return }; // skipped without Chromium
//! b.goto(&format!("{base}/")).await;
//! b.fill(&[("#name", "結び商事"), ("#prefecture", "13")]).await;
//! b.submit("button[type=submit]").await;
//! assert_eq!(b.find("h1").await.text().await, "登録しました");
//! ```
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian: `apt-get
//! install chromium chromium-driver`; `MUSUBI_CHROMIUM` / `MUSUBI_CHROMEDRIVER`
//! point elsewhere). Without them the tests are skipped, loudly — unless
//! `MUSUBI_REQUIRE_BROWSER=1`, which makes that a failure (CI).
//!
//! Every lookup waits (5 s by default, see [`Browser::set_wait`]); a failed
//! one panics naming the selector, the page's URL and title, and a screenshot
//! saved under `target/browser-failures/`. A test that panics for any other
//! reason also leaves a screenshot there.

mod alerts_journey;
mod bid_journey;
mod coordination_journey;
mod driver;
mod harness;
mod journeys;
mod tender_journey;
mod wire;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use driver::Driver;
use wire::{ELEMENT_KEY, WdError, Wire, base64_decode};

/// How long lookups and waits try before failing, unless [`Browser::set_wait`].
const DEFAULT_WAIT: Duration = Duration::from_secs(5);
/// How long [`Browser::submit`] waits for the next page.
const NAVIGATION_WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

/// The Accept-Language of [`Browser::start`]: a Japanese user, as most are.
const DEFAULT_ACCEPT_LANGUAGE: &str = "ja,en;q=0.8";

/// A headless Chromium driven by its own chromedriver.
pub struct Browser {
    wire: Wire,
    /// `/session/<id>`: the prefix of every session command.
    session: String,
    /// The test that started this browser: names its failure screenshots.
    test: String,
    wait_ms: AtomicU64,
    /// A failure screenshot was taken already: no second one when dropped.
    failure_saved: AtomicBool,
    /// Last field: chromedriver is stopped after `Drop::drop` deleted the session.
    driver: Driver,
}

/// An element found on the current page. It goes stale when the page changes:
/// find it again after a navigation.
pub struct Element<'b> {
    browser: &'b Browser,
    id: String,
    css: String,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium whose Accept-Language is
    /// Japanese. `None` (after a loud SKIPPED line) when they are not
    /// installed, unless `MUSUBI_REQUIRE_BROWSER=1`.
    pub async fn start() -> Option<Browser> {
        Browser::start_with_language(DEFAULT_ACCEPT_LANGUAGE).await
    }

    /// As [`Browser::start`], with another Accept-Language (`"en-GB,en"`).
    pub async fn start_with_language(accept_language: &str) -> Option<Browser> {
        let chromedriver = tool("MUSUBI_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = tool("MUSUBI_CHROMIUM", "/usr/bin/chromium");
        let missing: Vec<String> = [&chromedriver, &chromium]
            .into_iter()
            .filter(|p| !p.is_file())
            .map(|p| p.display().to_string())
            .collect();
        if !missing.is_empty() {
            let why = format!(
                "chromedriver/chromium not installed (missing {}; \
                 apt-get install chromium chromium-driver)",
                missing.join(", ")
            );
            if std::env::var("MUSUBI_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!("MUSUBI_REQUIRE_BROWSER=1 but {why}");
            }
            eprintln!("SKIPPED: {why}");
            return None;
        }

        let test = test_name();
        let mut driver = Driver::spawn(&chromedriver);
        let wire = Wire::new(driver.port);
        wait_until_ready(&wire, &mut driver).await;

        let profile = driver.profile_dir();
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": { "implicit": 0, "pageLoad": 30_000, "script": 15_000 },
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": { "intl.accept_languages": accept_language },
            },
        }}});
        let created = wire.post("/session", capabilities).await;
        let session = match created {
            Ok(v) => match v.get("sessionId").and_then(Value::as_str) {
                Some(id) => format!("/session/{id}"),
                None => panic!("chromedriver created a session without an id: {v}"),
            },
            Err(e) => panic!(
                "could not start Chromium ({}) through chromedriver: {e}{}",
                chromium.display(),
                driver.log_tail()
            ),
        };
        Some(Browser {
            wire,
            session,
            test,
            wait_ms: AtomicU64::new(DEFAULT_WAIT.as_millis() as u64),
            failure_saved: AtomicBool::new(false),
            driver,
        })
    }

    /// How long lookups and waits try before failing (default 5 s).
    pub fn set_wait(&self, wait: Duration) {
        self.wait_ms
            .store(wait.as_millis() as u64, Ordering::Relaxed);
    }

    fn wait(&self) -> Duration {
        Duration::from_millis(self.wait_ms.load(Ordering::Relaxed))
    }

    // ----- navigation and the page -------------------------------------

    /// Opens `url` and waits until it has loaded.
    pub async fn goto(&self, url: &str) {
        let r = self.post("/url", json!({ "url": url })).await;
        self.ok(&format!("open {url}"), r).await;
    }

    /// Reloads the current page.
    pub async fn refresh(&self) {
        let r = self.post("/refresh", json!({})).await;
        self.ok("reload", r).await;
    }

    /// Goes back one page in history.
    pub async fn back(&self) {
        let r = self.post("/back", json!({})).await;
        self.ok("go back", r).await;
    }

    pub async fn current_url(&self) -> String {
        let r = self.get("/url").await;
        as_string(self.ok("read the current URL", r).await)
    }

    pub async fn title(&self) -> String {
        let r = self.get("/title").await;
        as_string(self.ok("read the page title", r).await)
    }

    /// The current DOM, serialized.
    pub async fn page_source(&self) -> String {
        let r = self.get("/source").await;
        as_string(self.ok("read the page source", r).await)
    }

    /// `<html lang>` of the current page.
    pub async fn html_lang(&self) -> String {
        as_string(
            self.execute("return document.documentElement.lang;", &[])
                .await,
        )
    }

    /// Runs `script` as the body of a function (`return` gives the result;
    /// `arguments[i]` are `args`; pass elements with [`Element::as_arg`]).
    pub async fn execute(&self, script: &str, args: &[Value]) -> Value {
        let r = self
            .post("/execute/sync", json!({ "script": script, "args": args }))
            .await;
        self.ok(&format!("run script `{script}`"), r).await
    }

    /// Saves a PNG of the viewport to `path` (parent directories created).
    pub async fn screenshot(&self, path: impl AsRef<Path>) {
        let path = path.as_ref();
        if let Err(e) = self.try_screenshot(path).await {
            panic!(
                "{}",
                self.failure(&format!("screenshot to {}: {e}", path.display()))
                    .await
            );
        }
    }

    async fn try_screenshot(&self, path: &Path) -> Result<(), String> {
        let png = self.get("/screenshot").await.map_err(|e| e.to_string())?;
        save_png(path, &png)
    }

    // ----- finding elements ----------------------------------------------

    /// The first element matching `css`, waiting for it to appear; panics
    /// (with URL, title and a screenshot) when none does in time.
    pub async fn find(&self, css: &str) -> Element<'_> {
        let wait = self.wait();
        let deadline = Instant::now() + wait;
        loop {
            let err = match self.find_once(css).await {
                Ok(Some(el)) => return el,
                Ok(None) => None,
                Err(e) => Some(e),
            };
            if let Some(e) = &err
                && (is_fatal(e) || e.code() == Some("invalid selector"))
            {
                panic!("{}", self.failure(&format!("find `{css}`: {e}")).await);
            }
            if Instant::now() >= deadline {
                let why = err
                    .map(|e| format!(" (last error: {e})"))
                    .unwrap_or_default();
                let what = format!("no element matches `{css}` after {wait:?}{why}");
                panic!("{}", self.failure(&what).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The first element matching `css` right now, if any (no waiting).
    pub async fn try_find(&self, css: &str) -> Option<Element<'_>> {
        match self.find_once(css).await {
            Ok(found) => found,
            Err(e) => panic!("{}", self.failure(&format!("find `{css}`: {e}")).await),
        }
    }

    /// Every element matching `css` right now, in document order (no waiting;
    /// possibly none).
    pub async fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let r = self
            .post(
                "/elements",
                json!({ "using": "css selector", "value": css }),
            )
            .await;
        let found = self.ok(&format!("find all `{css}`"), r).await;
        match found {
            Value::Array(items) => items.into_iter().map(|v| self.element(&v, css)).collect(),
            other => panic!("find all `{css}`: not a list: {other}"),
        }
    }

    async fn find_once(&self, css: &str) -> Result<Option<Element<'_>>, WdError> {
        let body = json!({ "using": "css selector", "value": css });
        match self.post("/element", body).await {
            Ok(v) => Ok(Some(self.element(&v, css))),
            Err(e) if e.code() == Some("no such element") => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn element(&self, reference: &Value, css: &str) -> Element<'_> {
        let id = reference
            .get(ELEMENT_KEY)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("find `{css}`: not an element reference: {reference}"));
        Element {
            browser: self,
            id: id.to_owned(),
            css: css.to_owned(),
        }
    }

    // ----- waiting ---------------------------------------------------------

    /// Waits until the current URL satisfies `pred`; returns it.
    pub async fn wait_for_url(&self, pred: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        let found = poll(self.wait(), async || {
            last = as_string(self.get("/url").await.ok()?);
            pred(&last).then(|| last.clone())
        })
        .await;
        match found {
            Some(url) => url,
            None => {
                let what = format!("the URL never became what the test waits for (last: {last})");
                panic!("{}", self.failure(&what).await)
            }
        }
    }

    /// Waits until an element matching `css` has a text containing `text`;
    /// returns it.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> Element<'_> {
        let mut last: Option<String> = None;
        let found = poll(self.wait(), async || {
            let el = self.find_once(css).await.ok()??;
            let t = as_string(self.get(&format!("/element/{}/text", el.id)).await.ok()?);
            let hit = t.contains(text);
            last = Some(t);
            hit.then_some(el)
        })
        .await;
        match found {
            Some(el) => el,
            None => {
                let seen = match last {
                    Some(t) => format!("its text is {t:?}"),
                    None => "no element matches".to_owned(),
                };
                let what = format!("`{css}` never showed {text:?} ({seen})");
                panic!("{}", self.failure(&what).await)
            }
        }
    }

    // ----- forms -------------------------------------------------------------

    /// Fills form fields: text-like inputs and textareas are cleared and
    /// typed into; a `<select>` gets the option with that value; a
    /// checkbox or radio is checked for "true"/"on"/"1" and unchecked otherwise.
    pub async fn fill(&self, fields: &[(&str, &str)]) {
        for &(css, value) in fields {
            let el = self.find(css).await;
            let tag = as_string(el.prop("tagName").await).to_ascii_lowercase();
            let kind = el
                .attr("type")
                .await
                .unwrap_or_default()
                .to_ascii_lowercase();
            if tag == "select" {
                let picked = self
                    .execute(
                        "const [el, v] = arguments;
                         if (![...el.options].some(o => o.value === v)) {
                             return [...el.options].map(o => o.value);
                         }
                         el.value = v;
                         el.dispatchEvent(new Event('input', { bubbles: true }));
                         el.dispatchEvent(new Event('change', { bubbles: true }));
                         return true;",
                        &[el.as_arg(), json!(value)],
                    )
                    .await;
                if picked != Value::Bool(true) {
                    let what = format!("`{css}` has no option {value:?} (options: {picked})");
                    panic!("{}", self.failure(&what).await);
                }
            } else if tag == "input" && (kind == "checkbox" || kind == "radio") {
                let want = matches!(value, "true" | "on" | "1" | "checked");
                if el.prop("checked").await.as_bool() != Some(want) {
                    el.click().await;
                }
            } else {
                el.clear().await;
                el.type_text(value).await;
            }
        }
    }

    /// Clicks the button matching `css` and waits for the next page: a new
    /// document (or a new URL) that has finished loading.
    pub async fn submit(&self, css: &str) {
        self.click_and_wait(css).await;
    }

    /// Clicks the link matching `css` and waits for the next page (as [`Browser::submit`]).
    pub async fn follow(&self, css: &str) {
        self.click_and_wait(css).await;
    }

    async fn click_and_wait(&self, css: &str) {
        let before = self.current_url().await;
        // A mark on the current document: gone once another document loaded,
        // so a form that posts back to the same URL is noticed too.
        let mark = format!("{:016x}", crate::support::rand_u64());
        self.execute("window.__musubiPage = arguments[0];", &[json!(mark)])
            .await;
        self.find(css).await.click().await;
        let probe = json!({
            "script": "return [document.readyState, window.__musubiPage || null, location.href];",
            "args": [],
        });
        let mut last = Value::Null;
        let done = poll(NAVIGATION_WAIT, async || {
            // Errors are expected while the old page unloads: try again.
            last = self.post("/execute/sync", probe.clone()).await.ok()?;
            let complete = last[0] == "complete";
            let new_page = last[1] != json!(mark) || last[2] != json!(before);
            (complete && new_page).then_some(())
        })
        .await;
        if done.is_none() {
            let what = format!(
                "clicking `{css}` on {before} did not lead to another page within \
                 {NAVIGATION_WAIT:?} ([readyState, same-document mark, URL] = {last})"
            );
            panic!("{}", self.failure(&what).await);
        }
    }

    // ----- plumbing ----------------------------------------------------------

    async fn get(&self, path: &str) -> Result<Value, WdError> {
        self.wire.get(&format!("{}{path}", self.session)).await
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, WdError> {
        self.wire
            .post(&format!("{}{path}", self.session), body)
            .await
    }

    /// The value, or a panic describing `what` failed and where.
    async fn ok(&self, what: &str, r: Result<Value, WdError>) -> Value {
        match r {
            Ok(v) => v,
            Err(e) => panic!("{}", self.failure(&format!("{what}: {e}")).await),
        }
    }

    /// A failure report: what went wrong, the page's URL and title, and the
    /// path of a screenshot saved for it.
    async fn failure(&self, what: &str) -> String {
        let url = match self.get("/url").await {
            Ok(v) => as_string(v),
            Err(e) => format!("(unknown: {e})"),
        };
        let title = match self.get("/title").await {
            Ok(v) => format!("{:?}", as_string(v)),
            Err(e) => format!("(unknown: {e})"),
        };
        let path = failure_screenshot_path(&self.test);
        let shot = match self.try_screenshot(&path).await {
            Ok(()) => {
                self.failure_saved.store(true, Ordering::Relaxed);
                path.display().to_string()
            }
            Err(e) => format!("(none: {e})"),
        };
        format!("browser: {what}\n  url:        {url}\n  title:      {title}\n  screenshot: {shot}")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let shot = (std::thread::panicking() && !self.failure_saved.load(Ordering::Relaxed))
            .then(|| failure_screenshot_path(&self.test));
        let port = self.driver.port;
        let session = self.session.clone();
        // Drop cannot await, and may run inside the test's runtime: talk to
        // chromedriver from a thread with a small runtime of its own.
        let deleted = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let wire = Wire::new(port);
                if let Some(path) = shot {
                    let png = wire.get(&format!("{session}/screenshot")).await;
                    if let Ok(Ok(())) = png.map(|png| save_png(&path, &png)) {
                        eprintln!("browser: test failed; screenshot: {}", path.display());
                    }
                }
                let delete = wire.delete(&session);
                tokio::time::timeout(Duration::from_secs(15), delete)
                    .await
                    .ok()?
                    .ok()
            })
        })
        .join();
        self.driver.session_deleted = matches!(deleted, Ok(Some(_)));
    }
}

impl<'b> Element<'b> {
    fn path(&self, what: &str) -> String {
        format!("/element/{}{what}", self.id)
    }

    /// This element as an argument of [`Browser::execute`].
    pub fn as_arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    /// Clicks the element (scrolled into view), retrying while something
    /// covers it or it is not yet interactable.
    pub async fn click(&self) {
        let deadline = Instant::now() + self.browser.wait();
        loop {
            match self.browser.post(&self.path("/click"), json!({})).await {
                Ok(_) => return,
                Err(e)
                    if matches!(
                        e.code(),
                        Some("element click intercepted" | "element not interactable")
                    ) && Instant::now() < deadline =>
                {
                    tokio::time::sleep(POLL).await;
                }
                Err(e) => {
                    let what = format!("click `{}`: {e}", self.css);
                    panic!("{}", self.browser.failure(&what).await)
                }
            }
        }
    }

    /// Types `text` into the element (after what it already holds).
    pub async fn type_text(&self, text: &str) {
        let r = self
            .browser
            .post(&self.path("/value"), json!({ "text": text }))
            .await;
        self.browser
            .ok(&format!("type into `{}`", self.css), r)
            .await;
    }

    /// Empties an input or textarea.
    pub async fn clear(&self) {
        let r = self.browser.post(&self.path("/clear"), json!({})).await;
        self.browser.ok(&format!("clear `{}`", self.css), r).await;
    }

    /// The rendered (visible) text.
    pub async fn text(&self) -> String {
        let r = self.browser.get(&self.path("/text")).await;
        as_string(
            self.browser
                .ok(&format!("read the text of `{}`", self.css), r)
                .await,
        )
    }

    /// An HTML attribute as written (`None` when absent).
    pub async fn attr(&self, name: &str) -> Option<String> {
        let r = self
            .browser
            .get(&self.path(&format!("/attribute/{name}")))
            .await;
        let v = self
            .browser
            .ok(&format!("read attribute {name} of `{}`", self.css), r)
            .await;
        v.as_str().map(str::to_owned)
    }

    /// A DOM property (`checked`, `tagName`, `href` resolved, …).
    pub async fn prop(&self, name: &str) -> Value {
        let r = self
            .browser
            .get(&self.path(&format!("/property/{name}")))
            .await;
        self.browser
            .ok(&format!("read property {name} of `{}`", self.css), r)
            .await
    }

    /// The current value of an input, textarea or select.
    pub async fn value(&self) -> String {
        as_string(self.prop("value").await)
    }

    pub async fn is_displayed(&self) -> bool {
        let r = self.browser.get(&self.path("/displayed")).await;
        let v = self
            .browser
            .ok(&format!("check whether `{}` is displayed", self.css), r)
            .await;
        v.as_bool().unwrap_or(false)
    }
}

/// Calls `f` every 50 ms until it gives `Some`, for at most `timeout`.
async fn poll<T>(timeout: Duration, mut f: impl AsyncFnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until chromedriver's `/status` says it is ready for a session.
async fn wait_until_ready(wire: &Wire, driver: &mut Driver) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(status) = wire.get("/status").await
            && status["ready"] == true
        {
            return;
        }
        if !driver.is_running() {
            panic!(
                "chromedriver on {} exited before it was ready{}",
                wire.root(),
                driver.log_tail()
            );
        }
        if Instant::now() > deadline {
            panic!(
                "chromedriver on {} not ready within 15 s{}",
                wire.root(),
                driver.log_tail()
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Errors after which waiting longer cannot help.
fn is_fatal(e: &WdError) -> bool {
    match e {
        WdError::Transport(_) => true,
        WdError::Driver { error, .. } => {
            matches!(
                error.as_str(),
                "invalid session id" | "no such window" | "session not created"
            )
        }
    }
}

fn as_string(v: Value) -> String {
    match v {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn save_png(path: &Path, base64: &Value) -> Result<(), String> {
    let png = base64
        .as_str()
        .and_then(base64_decode)
        .ok_or("the screenshot is not base64")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, png).map_err(|e| format!("write {}: {e}", path.display()))
}

fn tool(var: &str, default: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(default),
    }
}

/// The running test's name (libtest names its thread after it), made safe
/// for a file name: `browser::journeys::x` → `browser-journeys-x`.
fn test_name() -> String {
    let name = std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .unwrap_or("browser")
        .replace("::", "-");
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `target/browser-failures/<test>-<n>.png`, `n` counting from 1 per test
/// within this run (so a re-run overwrites the last run's pictures).
fn failure_screenshot_path(test: &str) -> PathBuf {
    static COUNTS: Mutex<BTreeMap<String, u32>> = Mutex::new(BTreeMap::new());
    let n = {
        let mut counts = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
        let n = counts.entry(test.to_owned()).or_insert(0);
        *n += 1;
        *n
    };
    failures_dir().join(format!("{test}-{n}.png"))
}

/// `target/browser-failures`, in the target dir this test binary was built in.
pub fn failures_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("browser-failures")
}
