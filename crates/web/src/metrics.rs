//! A tiny hand-written metrics registry rendered in the Prometheus text
//! exposition format 0.0.4.
//!
//! HTTP metrics are recorded by [`crate::middleware::track_metrics`]; job and
//! build metrics are read at scrape time by [`crate::handlers::health::metrics`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use musubi_storage::JobCounts;

/// `Content-Type` of the exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds of the request duration histogram, in seconds.
pub const DURATION_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

const REQUESTS_TOTAL: &str = "musubi_http_requests_total";
const REQUEST_DURATION: &str = "musubi_http_request_duration_seconds";
const IN_FLIGHT: &str = "musubi_http_requests_in_flight";
const JOBS: &str = "musubi_jobs";
const BUILD_INFO: &str = "musubi_build_info";

/// The process-wide registry; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// (method, route, status) → count.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// route → histogram.
    durations: Mutex<BTreeMap<String, Histogram>>,
    in_flight: AtomicI64,
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Non-cumulative counts per bucket; the last slot is `+Inf`.
    buckets: [u64; DURATION_BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, value: f64) {
        let slot = DURATION_BUCKETS
            .iter()
            .position(|&le| value <= le)
            .unwrap_or(DURATION_BUCKETS.len());
        self.buckets[slot] += 1;
        self.sum += value;
        self.count += 1;
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Decrements the in-flight gauge when dropped (also when the request future
/// is dropped because the client went away).
#[derive(Debug)]
pub struct InFlight(Metrics);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.inner.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts a request as in flight until the guard is dropped.
    pub fn start_request(&self) -> InFlight {
        self.inner.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }

    pub fn in_flight(&self) -> i64 {
        self.inner.in_flight.load(Ordering::Relaxed)
    }

    /// Records a finished request. `route` is the matched path template
    /// (`/static/{name}`) or `"unmatched"`, never the raw path.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        *lock(&self.inner.requests)
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let mut durations = lock(&self.inner.durations);
        match durations.get_mut(route) {
            Some(h) => h.observe(seconds),
            None => {
                let mut h = Histogram::default();
                h.observe(seconds);
                durations.insert(route.to_owned(), h);
            }
        }
    }

    /// Appends the HTTP metrics to `out`.
    pub fn render_http(&self, out: &mut String) {
        header(
            out,
            REQUESTS_TOTAL,
            "HTTP requests handled, by method, route template and status.",
            "counter",
        );
        for ((method, route, status), count) in lock(&self.inner.requests).iter() {
            sample(
                out,
                REQUESTS_TOTAL,
                &[
                    ("method", method),
                    ("route", route),
                    ("status", &status.to_string()),
                ],
                *count as f64,
            );
        }

        header(
            out,
            REQUEST_DURATION,
            "Time from receiving a request to having its response headers, by route template.",
            "histogram",
        );
        let bucket = format!("{REQUEST_DURATION}_bucket");
        let sum = format!("{REQUEST_DURATION}_sum");
        let count = format!("{REQUEST_DURATION}_count");
        for (route, h) in lock(&self.inner.durations).iter() {
            let mut cumulative = 0;
            for (i, n) in h.buckets.iter().enumerate() {
                cumulative += n;
                let le = DURATION_BUCKETS
                    .get(i)
                    .map_or("+Inf".to_owned(), |b| fmt_f64(*b));
                sample(
                    out,
                    &bucket,
                    &[("route", route), ("le", &le)],
                    cumulative as f64,
                );
            }
            sample(out, &sum, &[("route", route)], h.sum);
            sample(out, &count, &[("route", route)], h.count as f64);
        }

        header(
            out,
            IN_FLIGHT,
            "HTTP requests currently being handled.",
            "gauge",
        );
        sample(out, IN_FLIGHT, &[], self.in_flight() as f64);
    }
}

/// Appends the job gauges (read from storage at scrape time).
pub fn render_jobs(out: &mut String, counts: &JobCounts) {
    header(out, JOBS, "Jobs in the queue, by status.", "gauge");
    for (status, n) in [
        ("queued", counts.queued),
        ("running", counts.running),
        ("done", counts.done),
        ("failed", counts.failed),
    ] {
        sample(out, JOBS, &[("status", status)], n as f64);
    }
}

/// Appends `musubi_build_info{version,backend} 1`.
pub fn render_build_info(out: &mut String, version: &str, backend: &str) {
    header(
        out,
        BUILD_INFO,
        "Build information; the value is always 1.",
        "gauge",
    );
    sample(
        out,
        BUILD_INFO,
        &[("version", version), ("backend", backend)],
        1.0,
    );
}

/// `# HELP` and `# TYPE` lines.
fn header(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {}", escape_help(help));
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// One sample line: `name{l1="v1",l2="v2"} value`.
fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: f64) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (i, (k, v)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{k}=\"{}\"", escape_label_value(v));
        }
        out.push('}');
    }
    out.push(' ');
    out.push_str(&fmt_f64(value));
    out.push('\n');
}

/// Label values escape backslash, double quote and line feed.
pub fn escape_label_value(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

/// HELP text escapes backslash and line feed.
pub fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Go-style float formatting as Prometheus expects (`+Inf`, `-Inf`, `NaN`).
fn fmt_f64(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_label_value(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape_label_value("a\nb"), "a\\nb");
        assert_eq!(escape_label_value("結び"), "結び");
        assert_eq!(escape_help("a\\b\nc \"q\""), "a\\\\b\\nc \"q\"");
    }

    #[test]
    fn float_formatting() {
        assert_eq!(fmt_f64(1.0), "1");
        assert_eq!(fmt_f64(0.005), "0.005");
        assert_eq!(fmt_f64(f64::INFINITY), "+Inf");
        assert_eq!(fmt_f64(f64::NEG_INFINITY), "-Inf");
        assert_eq!(fmt_f64(f64::NAN), "NaN");
    }

    #[test]
    fn http_metrics_text() {
        let m = Metrics::new();
        m.observe_request("GET", "/", 200, 0.003);
        m.observe_request("GET", "/", 200, 0.2);
        m.observe_request("GET", "/", 200, 42.0);
        m.observe_request("POST", "/a\"b", 500, 0.01);
        let guard = m.start_request();
        let mut out = String::new();
        m.render_http(&mut out);
        drop(guard);
        assert_eq!(m.in_flight(), 0);

        let expected_lines = [
            "# HELP musubi_http_requests_total HTTP requests handled, by method, route template and status.",
            "# TYPE musubi_http_requests_total counter",
            r#"musubi_http_requests_total{method="GET",route="/",status="200"} 3"#,
            r#"musubi_http_requests_total{method="POST",route="/a\"b",status="500"} 1"#,
            "# TYPE musubi_http_request_duration_seconds histogram",
            r#"musubi_http_request_duration_seconds_bucket{route="/",le="0.005"} 1"#,
            r#"musubi_http_request_duration_seconds_bucket{route="/",le="0.1"} 1"#,
            r#"musubi_http_request_duration_seconds_bucket{route="/",le="0.25"} 2"#,
            r#"musubi_http_request_duration_seconds_bucket{route="/",le="10"} 2"#,
            r#"musubi_http_request_duration_seconds_bucket{route="/",le="+Inf"} 3"#,
            r#"musubi_http_request_duration_seconds_sum{route="/"} 42.203"#,
            r#"musubi_http_request_duration_seconds_count{route="/"} 3"#,
            r#"musubi_http_request_duration_seconds_bucket{route="/a\"b",le="0.01"} 1"#,
            "# TYPE musubi_http_requests_in_flight gauge",
            "musubi_http_requests_in_flight 1",
        ];
        let lines: Vec<&str> = out.lines().collect();
        for expected in expected_lines {
            assert!(lines.contains(&expected), "missing {expected:?} in\n{out}");
        }
        // Every sample line is `name{labels} value` or `name value`.
        for line in lines.iter().filter(|l| !l.starts_with('#')) {
            let (_, value) = line.rsplit_once(' ').unwrap();
            assert!(value.parse::<f64>().is_ok(), "bad value in {line:?}");
        }
        // HELP comes before TYPE, once per metric family.
        assert_eq!(
            out.matches("# TYPE musubi_http_request_duration_seconds ")
                .count(),
            1
        );
        assert!(out.ends_with('\n'));
    }

    #[test]
    fn jobs_and_build_info_text() {
        let mut out = String::new();
        render_jobs(
            &mut out,
            &JobCounts {
                queued: 3,
                running: 1,
                done: 10,
                failed: 0,
            },
        );
        render_build_info(&mut out, "0.1.0", "sqlite");
        assert_eq!(
            out,
            "# HELP musubi_jobs Jobs in the queue, by status.\n\
             # TYPE musubi_jobs gauge\n\
             musubi_jobs{status=\"queued\"} 3\n\
             musubi_jobs{status=\"running\"} 1\n\
             musubi_jobs{status=\"done\"} 10\n\
             musubi_jobs{status=\"failed\"} 0\n\
             # HELP musubi_build_info Build information; the value is always 1.\n\
             # TYPE musubi_build_info gauge\n\
             musubi_build_info{version=\"0.1.0\",backend=\"sqlite\"} 1\n"
        );
    }
}
