//! Per-attempt request deadlines, kept by a few watchdog threads instead of a
//! runtime timer per request.
//!
//! Why not `tokio::time`: registering a tokio timer while the runtime's time
//! driver is parked without one makes tokio wake that parked worker so that it
//! re-arms its clock. With one timer per request, that is an extra thread
//! wake-up (and a few system calls) per request on a multi-threaded runtime,
//! which the performance report (`benches/`) measured as the largest single
//! part of the facade's cost over bare `reqwest`.
//!
//! Each thread registers its deadlines with one of [`WATCHDOGS`] watchdogs, so
//! that runtime workers seldom contend for one lock (with a single watchdog
//! the report measured the lock as about 2 % of the latency at concurrency 32).
//! A watchdog sleeps until the earliest deadline it knows of. Every request
//! of a client gets the same timeout, so a new deadline is nearly always later
//! than the one the watchdog already sleeps until: registering it takes a lock
//! and a map insert, and no system call. A request that ends early removes its
//! deadline; the watchdog then at worst wakes once for nothing and goes back to
//! sleep. Being a plain thread that only calls [`Waker::wake`], it works under
//! any runtime, and with clients shared across runtimes (common in test suites),
//! which a timer bound to one runtime would not.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// A deadline passed before the future it bounded finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Elapsed;

/// Runs `fut` for at most `timeout` (`None`: without a limit).
pub(crate) fn within<F: Future>(timeout: Option<Duration>, fut: F) -> Within<F> {
    // A timeout too large to represent is no limit at all.
    let at = timeout.and_then(|t| Instant::now().checked_add(t));
    Within {
        fut,
        at,
        registration: None,
    }
}

pin_project_lite::pin_project! {
    /// The future returned by [`within`].
    pub(crate) struct Within<F> {
        #[pin]
        fut: F,
        at: Option<Instant>,
        registration: Option<Registration>,
    }
}

impl<F: Future> Future for Within<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(out) = this.fut.poll(cx) {
            // The deadline is no longer needed: remove it now.
            *this.registration = None;
            return Poll::Ready(Ok(out));
        }
        let Some(at) = *this.at else {
            return Poll::Pending;
        };
        if Instant::now() >= at {
            *this.registration = None;
            return Poll::Ready(Err(Elapsed));
        }
        match this.registration {
            None => *this.registration = Some(Registration::new(at, cx.waker())),
            Some(r) => r.refresh(cx.waker()),
        }
        if let Some(Registration::Fallback(sleep)) = this.registration
            && sleep.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Err(Elapsed));
        }
        Poll::Pending
    }
}

/// A deadline registered with the watchdog; dropping it removes the deadline.
enum Registration {
    Watchdog {
        /// Names the watchdog it was registered with, too (the task may have
        /// moved to another thread since).
        key: Key,
        waker: Waker,
    },
    /// Used only when the watchdog thread could not be started (then the
    /// bounded future must run on a tokio runtime, as requests do anyway).
    Fallback(Pin<Box<tokio::time::Sleep>>),
}

impl Registration {
    fn new(at: Instant, waker: &Waker) -> Registration {
        match watchdog() {
            Some(dog) => Registration::Watchdog {
                key: dog.register(at, waker),
                waker: waker.clone(),
            },
            // Without a watchdog thread, a runtime timer does the job.
            None => Registration::Fallback(Box::pin(tokio::time::sleep_until(at.into()))),
        }
    }

    /// Keeps the registered waker current if the task now polls with another.
    fn refresh(&mut self, waker: &Waker) {
        match self {
            Registration::Watchdog { key, waker: known } => {
                if !known.will_wake(waker) {
                    owner(key).update(*key, waker);
                    *known = waker.clone();
                }
            }
            // The sleep is polled (with the current waker) by `Within::poll`.
            Registration::Fallback(_) => {}
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Registration::Watchdog { key, .. } = self {
            owner(key).cancel(*key);
        }
    }
}

/// A deadline and a number unique among deadlines that fall on the same
/// instant, whose remainder by [`WATCHDOGS`] is the watchdog that keeps it.
type Key = (Instant, u64);

/// The watchdog that keeps `key`.
fn owner(key: &Key) -> &'static Watchdog {
    &WATCHDOG[(key.1 % WATCHDOGS as u64) as usize]
}

struct Watchdog {
    /// Its place in [`WATCHDOG`].
    index: u64,
    state: Mutex<State>,
    wake: Condvar,
}

struct State {
    /// The deadlines of bounded futures still pending, earliest first.
    deadlines: BTreeMap<Key, Waker>,
    next_id: u64,
    /// The latest deadline ever registered.
    latest: Option<Instant>,
    /// When the watchdog thread looks again; `None` while it waits for a first
    /// deadline (or is busy waking futures and will look before it sleeps).
    wakes_at: Option<Instant>,
}

/// How many watchdogs share the deadlines. Each thread registers with one of
/// them (threads are dealt out in turn), so that runtime workers registering
/// at the same time rarely contend for the same lock; each watchdog has its own
/// thread, started on first use and asleep while it has nothing to watch.
const WATCHDOGS: usize = 4;

static WATCHDOG: [Watchdog; WATCHDOGS] = [
    Watchdog::new(0),
    Watchdog::new(1),
    Watchdog::new(2),
    Watchdog::new(3),
];

/// This thread's watchdog, its thread started on first use; `None` if that
/// thread could not be started.
fn watchdog() -> Option<&'static Watchdog> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    static STARTED: [OnceLock<bool>; WATCHDOGS] = [const { OnceLock::new() }; WATCHDOGS];
    thread_local! {
        static MINE: Cell<Option<usize>> = const { Cell::new(None) };
    }
    let index = MINE.with(|mine| match mine.get() {
        Some(index) => index,
        None => {
            let index = NEXT.fetch_add(1, Ordering::Relaxed) % WATCHDOGS;
            mine.set(Some(index));
            index
        }
    });
    let dog = &WATCHDOG[index];
    let started = *STARTED[index].get_or_init(|| {
        std::thread::Builder::new()
            .name(format!("turso-platform-deadlines-{index}"))
            .spawn(move || dog.run())
            .is_ok()
    });
    started.then_some(dog)
}

impl Watchdog {
    const fn new(index: u64) -> Watchdog {
        Watchdog {
            index,
            state: Mutex::new(State {
                deadlines: BTreeMap::new(),
                next_id: 0,
                latest: None,
                wakes_at: None,
            }),
            wake: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; if something ever did, the
        // map is still consistent, so carry on with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn register(&self, at: Instant, waker: &Waker) -> Key {
        let mut state = self.lock();
        // Unique per watchdog and naming it (see `owner`); wrapping keeps the
        // remainder, and would take centuries at any request rate anyway.
        let id = state
            .next_id
            .wrapping_mul(WATCHDOGS as u64)
            .wrapping_add(self.index);
        let key = (at, id);
        state.next_id = state.next_id.wrapping_add(1);
        state.deadlines.insert(key, waker.clone());
        state.latest = state.latest.max(Some(at));
        // Only a deadline earlier than the watchdog's next look needs it awake.
        if state.wakes_at.is_none_or(|wakes_at| at < wakes_at) {
            self.wake.notify_one();
        }
        key
    }

    fn update(&self, key: Key, waker: &Waker) {
        if let Some(known) = self.lock().deadlines.get_mut(&key) {
            known.clone_from(waker);
        }
    }

    fn cancel(&self, key: Key) {
        self.lock().deadlines.remove(&key);
    }

    /// The watchdog thread: wakes every future whose deadline has passed, then
    /// sleeps until the earliest deadline left (or until one is registered).
    fn run(&self) {
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            let mut due = Vec::new();
            while let Some(entry) = state.deadlines.first_entry()
                && entry.key().0 <= now
            {
                due.push(entry.remove());
            }
            if !due.is_empty() {
                // Wake outside the lock: a waker may run arbitrary code.
                state.wakes_at = None;
                drop(state);
                due.into_iter().for_each(Waker::wake);
                state = self.lock();
                continue;
            }
            // With nothing pending, the watchdog still sleeps until the latest
            // deadline it has seen rather than indefinitely: requests of one
            // client share a timeout, so the next deadline will be later than
            // that and its registration need not wake the watchdog. Without
            // this, short requests (gone before the watchdog looks) would find
            // it waiting indefinitely, and wake it, every time.
            let next = match state.deadlines.first_key_value() {
                Some((key, _)) => Some(key.0),
                None => state.latest.filter(|latest| *latest > now),
            };
            state.wakes_at = next;
            state = match next {
                Some(at) => match self
                    .wake
                    .wait_timeout(state, at.saturating_duration_since(now))
                {
                    Ok((guard, _)) => guard,
                    Err(poisoned) => poisoned.into_inner().0,
                },
                None => self.wake.wait(state).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lets_a_quick_future_finish() {
        let out = within(Some(Duration::from_secs(30)), async { 7 }).await;
        assert_eq!(out, Ok(7));
        let out = within(None, async { 8 }).await;
        assert_eq!(out, Ok(8));
        let huge = within(Some(Duration::MAX), async { 9 }).await;
        assert_eq!(huge, Ok(9));
    }

    #[tokio::test]
    async fn stops_a_future_that_never_finishes() {
        let out = within(
            Some(Duration::from_millis(20)),
            std::future::pending::<()>(),
        )
        .await;
        assert_eq!(out, Err(Elapsed));
    }

    /// How many deadlines more than 300 s away are registered (no other test
    /// registers such long ones).
    fn far_deadlines() -> usize {
        let far = Instant::now() + Duration::from_secs(300);
        WATCHDOG
            .iter()
            .map(|dog| dog.lock().deadlines.keys().filter(|k| k.0 > far).count())
            .sum()
    }

    #[test]
    fn removes_the_deadline_of_a_future_that_finished_or_was_dropped() {
        let mut cx = Context::from_waker(Waker::noop());
        let (tx, rx) = futures::channel::oneshot::channel::<u8>();
        let mut bounded = Box::pin(within(Some(Duration::from_secs(600)), rx));
        assert!(bounded.as_mut().poll(&mut cx).is_pending());
        assert_eq!(far_deadlines(), 1);
        tx.send(3).unwrap();
        assert_eq!(bounded.as_mut().poll(&mut cx), Poll::Ready(Ok(Ok(3))));
        assert_eq!(far_deadlines(), 0);

        let mut abandoned = Box::pin(within(
            Some(Duration::from_secs(600)),
            std::future::pending::<()>(),
        ));
        assert!(abandoned.as_mut().poll(&mut cx).is_pending());
        assert_eq!(far_deadlines(), 1);
        drop(abandoned);
        assert_eq!(far_deadlines(), 0);
    }

    #[test]
    fn threads_are_dealt_out_to_the_watchdogs_in_turn() {
        let mine = || watchdog().map(|dog| dog as *const Watchdog as usize);
        let here = mine();
        assert_eq!(here, mine(), "a thread keeps its watchdog");
        let others: std::collections::HashSet<_> = (0..WATCHDOGS)
            .map(|_| std::thread::spawn(mine).join().unwrap())
            .collect();
        assert!(others.len() > 1, "threads share out the watchdogs");
    }

    #[test]
    fn needs_no_tokio_runtime() {
        // The watchdog wakes whichever executor polls: here, futures' own.
        let out = futures::executor::block_on(within(
            Some(Duration::from_millis(20)),
            std::future::pending::<()>(),
        ));
        assert_eq!(out, Err(Elapsed));
    }

    #[test]
    fn bounds_futures_on_several_runtimes_at_once() {
        let threads: Vec<_> = (0..3)
            .map(|_| {
                std::thread::spawn(|| {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(within(
                        Some(Duration::from_millis(30)),
                        std::future::pending::<()>(),
                    ))
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), Err(Elapsed));
        }
    }
}
