//! A sliding-window limit per key (a client address), kept in memory: the
//! first guard against one address making Musubi mail strangers in bulk.
//! Per process; sign-in limits, which must hold across processes, live in
//! the database instead.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

pub struct Throttle {
    window: Duration,
    max: usize,
    hits: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl Throttle {
    pub fn new(max: usize, window: Duration) -> Self {
        Throttle {
            window,
            max,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Records a hit for `key` unless it already has `max` within the
    /// window; returns whether this one is allowed.
    pub fn allow(&self, key: &str, now: DateTime<Utc>) -> bool {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        // Forget stale keys now and then so the map cannot grow without bound.
        if hits.len() > 10_000 {
            hits.retain(|_, q| q.back().is_some_and(|t| now - *t < self.window));
        }
        let q = hits.entry(key.to_owned()).or_default();
        while q.front().is_some_and(|t| now - *t >= self.window) {
            q.pop_front();
        }
        if q.len() >= self.max {
            return false;
        }
        q.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn window_slides() {
        let t = Throttle::new(2, Duration::minutes(10));
        let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap();
        assert!(t.allow("a", t0));
        assert!(t.allow("a", t0 + Duration::minutes(1)));
        assert!(!t.allow("a", t0 + Duration::minutes(2)));
        assert!(t.allow("b", t0 + Duration::minutes(2)), "per key");
        assert!(
            t.allow("a", t0 + Duration::minutes(10)),
            "the first hit left the window"
        );
    }
}
