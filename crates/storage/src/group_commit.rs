//! Group commit: the writes of many concurrent callers in one transaction.
//!
//! A durable commit costs a flush to the disk (an `fsync` of the SQLite WAL,
//! a WAL flush on PostgreSQL), and the disk does only so many a second. When
//! callers queue faster than that, the next flush takes everyone who queued
//! during the last one, so the flush count stays at what the disk can do and
//! each caller still waits for exactly one commit. There is no timer: a lone
//! caller is flushed at once, a crowd is batched by the wait for the flush
//! before it.
//!
//! Each item keeps its own outcome — the flush checks each one on its own,
//! under a savepoint where its write takes several statements — and a
//! caller's answer is released only after the shared commit; if the commit
//! fails, every item of the batch fails.
//!
//! The flush runs in a task of its own, so a caller that gives up (a client
//! that disconnects) cannot cancel the transaction of the others.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

use crate::{Result, StorageError};

/// Writes a batch in one transaction: one result per item, in order, or the
/// error that failed the whole batch (nothing of it committed).
pub(crate) trait Flush: Send + Sync + 'static {
    type Item: Send + 'static;
    type Output: Send + 'static;
    fn flush(
        &self,
        items: Vec<Self::Item>,
    ) -> impl Future<Output = Result<Vec<Result<Self::Output>>>> + Send;
}

pub(crate) struct GroupCommit<F: Flush> {
    shared: Arc<Shared<F>>,
}

struct Shared<F: Flush> {
    flusher: F,
    /// Most items per transaction (bounds how long one commit holds the lock).
    max_batch: usize,
    queue: Mutex<Queue<F>>,
}

type Waiting<F> = (
    <F as Flush>::Item,
    oneshot::Sender<Result<<F as Flush>::Output>>,
);

struct Queue<F: Flush> {
    waiting: VecDeque<Waiting<F>>,
    /// Whether a flush task runs. One at a time: transactions of one process
    /// never wait for each other (no lock-order deadlocks between batches),
    /// and bids get their ids in the order they arrived.
    flushing: bool,
}

impl<F: Flush> GroupCommit<F> {
    pub(crate) fn new(flusher: F, max_batch: usize) -> Self {
        GroupCommit {
            shared: Arc::new(Shared {
                flusher,
                max_batch: max_batch.max(1),
                queue: Mutex::new(Queue {
                    waiting: VecDeque::new(),
                    flushing: false,
                }),
            }),
        }
    }

    /// Queues `item` and waits for the commit that stores it.
    pub(crate) async fn submit(&self, item: F::Item) -> Result<F::Output> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut q = self.shared.lock();
            q.waiting.push_back((item, tx));
            q.start_flush()
        };
        if start {
            tokio::spawn(run(Arc::clone(&self.shared)));
        }
        rx.await.unwrap_or_else(|_| {
            Err(StorageError::Unavailable(
                "the group commit stopped before answering".into(),
            ))
        })
    }
}

impl<F: Flush> Shared<F> {
    fn lock(&self) -> MutexGuard<'_, Queue<F>> {
        // The queue holds no invariant a panicking holder could break.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<F: Flush> Queue<F> {
    /// Whether the caller should start the flush task (and marks it started).
    fn start_flush(&mut self) -> bool {
        if self.flushing || self.waiting.is_empty() {
            return false;
        }
        self.flushing = true;
        true
    }
}

/// Marks the flush task ended; if it ends by a panic, starts another for
/// whoever still waits (they would otherwise wait forever).
struct Running<F: Flush> {
    shared: Arc<Shared<F>>,
    done: bool,
}

impl<F: Flush> Drop for Running<F> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let restart = {
            let mut q = self.shared.lock();
            q.flushing = false;
            q.start_flush()
        };
        // Not when the runtime itself is going away (its tasks are dropped).
        if restart && let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(run(Arc::clone(&self.shared)));
        }
    }
}

async fn run<F: Flush>(shared: Arc<Shared<F>>) {
    let mut running = Running {
        shared: Arc::clone(&shared),
        done: false,
    };
    loop {
        let batch: Vec<Waiting<F>> = {
            let mut q = shared.lock();
            if q.waiting.is_empty() {
                // Under the lock: a caller queuing after this sees no task
                // and starts one.
                q.flushing = false;
                running.done = true;
                return;
            }
            let n = q.waiting.len().min(shared.max_batch);
            q.waiting.drain(..n).collect()
        };
        let (items, answers): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
        let n = items.len();
        match shared.flusher.flush(items).await {
            Ok(results) if results.len() == n => {
                for (answer, result) in answers.into_iter().zip(results) {
                    // A caller that gave up no longer listens.
                    let _ = answer.send(result);
                }
            }
            Ok(results) => {
                let e = StorageError::Corrupt {
                    field: "group commit",
                    message: format!("{} results for {n} items", results.len()),
                };
                for answer in answers {
                    let _ = answer.send(Err(share(&e)));
                }
            }
            Err(e) => {
                for answer in answers {
                    let _ = answer.send(Err(share(&e)));
                }
            }
        }
    }
}

/// The batch's error for each of its items (`sqlx::Error` is not `Clone`).
fn share(e: &StorageError) -> StorageError {
    match e {
        StorageError::Unavailable(m) => StorageError::Unavailable(m.clone()),
        StorageError::NotFound => StorageError::NotFound,
        StorageError::Conflict(c) => StorageError::Conflict(c.clone()),
        StorageError::Corrupt { field, message } => StorageError::Corrupt {
            field,
            message: message.clone(),
        },
        StorageError::LeaseLost(id) => StorageError::LeaseLost(*id),
        other => StorageError::Database(sqlx::Error::Protocol(format!(
            "the group commit failed: {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::Semaphore;

    /// Doubles each item, an odd item fails alone, a batch holding
    /// `fail_batch_with` fails whole. Each flush first takes a permit of
    /// `gate`, so a test decides when flushes proceed.
    struct Doubler {
        batches: Arc<Mutex<Vec<Vec<u32>>>>,
        in_flight: AtomicUsize,
        most_in_flight: Arc<AtomicUsize>,
        gate: Arc<Semaphore>,
        fail_batch_with: Option<u32>,
    }

    impl Flush for Doubler {
        type Item = u32;
        type Output = u32;
        async fn flush(&self, items: Vec<u32>) -> Result<Vec<Result<u32>>> {
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_in_flight.fetch_max(now, Ordering::SeqCst);
            self.batches.lock().unwrap().push(items.clone());
            self.gate.acquire().await.unwrap().forget();
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            if let Some(bad) = self.fail_batch_with
                && items.contains(&bad)
            {
                return Err(StorageError::Unavailable("disk gone".into()));
            }
            Ok(items
                .into_iter()
                .map(|i| {
                    if i % 2 == 1 {
                        Err(StorageError::Conflict(format!("odd {i}")))
                    } else {
                        Ok(i * 2)
                    }
                })
                .collect())
        }
    }

    struct Fixture {
        gc: Arc<GroupCommit<Doubler>>,
        batches: Arc<Mutex<Vec<Vec<u32>>>>,
        most_in_flight: Arc<AtomicUsize>,
        gate: Arc<Semaphore>,
    }

    fn fixture(max_batch: usize, fail_batch_with: Option<u32>) -> Fixture {
        let batches = Arc::new(Mutex::new(Vec::new()));
        let most_in_flight = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(Semaphore::new(0));
        let d = Doubler {
            batches: Arc::clone(&batches),
            in_flight: AtomicUsize::new(0),
            most_in_flight: Arc::clone(&most_in_flight),
            gate: Arc::clone(&gate),
            fail_batch_with,
        };
        Fixture {
            gc: Arc::new(GroupCommit::new(d, max_batch)),
            batches,
            most_in_flight,
            gate,
        }
    }

    impl Fixture {
        fn submit(&self, i: u32) -> tokio::task::JoinHandle<(u32, Result<u32>)> {
            let gc = Arc::clone(&self.gc);
            tokio::spawn(async move { (i, gc.submit(i).await) })
        }

        /// Waits until `n` items wait in the queue, not yet taken by a flush.
        async fn until_waiting(&self, n: usize) {
            while self.gc.shared.lock().waiting.len() < n {
                tokio::task::yield_now().await;
            }
        }

        async fn until_batches(&self, n: usize) {
            while self.batches.lock().unwrap().len() < n {
                tokio::task::yield_now().await;
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_queued_during_a_flush_share_the_next_one() {
        let f = fixture(16, None);
        let first = f.submit(0);
        f.until_batches(1).await;
        // 39 more arrive while the first flush is under way.
        let rest: Vec<_> = (1..40).map(|i| f.submit(i)).collect();
        f.until_waiting(39).await;
        f.gate.add_permits(100);
        for t in std::iter::once(first).chain(rest) {
            let (i, r) = t.await.unwrap();
            match r {
                Ok(v) => assert_eq!(v, i * 2),
                Err(StorageError::Conflict(c)) => {
                    assert_eq!(i % 2, 1, "{c}");
                    assert_eq!(c, format!("odd {i}"));
                }
                Err(e) => panic!("{i}: {e}"),
            }
        }
        let sizes: Vec<usize> = f.batches.lock().unwrap().iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![1, 16, 16, 7], "at most 16 a batch, in order");
        assert_eq!(f.most_in_flight.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_batch_fails_every_item_of_it_and_no_other() {
        let f = fixture(8, Some(4));
        let first = f.submit(6);
        f.until_batches(1).await;
        let failing: Vec<_> = [2, 4].into_iter().map(|i| f.submit(i)).collect();
        f.until_waiting(2).await;
        f.gate.add_permits(2);
        assert_eq!(first.await.unwrap().1.unwrap(), 12);
        for t in failing {
            let (_, r) = t.await.unwrap();
            assert!(matches!(r, Err(StorageError::Unavailable(m)) if m == "disk gone"));
        }
        // The queue goes on after a failed batch.
        f.gate.add_permits(1);
        assert_eq!(f.submit(8).await.unwrap().1.unwrap(), 16);
    }
}
