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
//! and a free slot, and no system call. A request that ends early removes its
//! deadline; the watchdog then at worst wakes once for nothing and goes back to
//! sleep. Being a plain thread that only calls [`Waker::wake`], it works under
//! any runtime, and with clients shared across runtimes (common in test suites),
//! which a timer bound to one runtime would not.

use std::cell::Cell;
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
        match this.registration {
            // The first time it waits: `at` was set a moment ago, so the clock
            // is not read again. A deadline already past would still be met:
            // the watchdog is woken for it and wakes this future at once.
            None => *this.registration = Some(Registration::new(at, cx.waker())),
            Some(r) => {
                if Instant::now() >= at {
                    *this.registration = None;
                    return Poll::Ready(Err(Elapsed));
                }
                r.refresh(cx.waker());
            }
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
        /// The watchdog it was registered with (the task may have moved to
        /// another thread since) and its slot there.
        dog: &'static Watchdog,
        slot: usize,
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
                dog,
                slot: dog.register(at, waker),
                waker: waker.clone(),
            },
            // Without a watchdog thread, a runtime timer does the job.
            None => Registration::Fallback(Box::pin(tokio::time::sleep_until(at.into()))),
        }
    }

    /// Keeps the registered waker current if the task now polls with another.
    fn refresh(&mut self, waker: &Waker) {
        match self {
            Registration::Watchdog {
                dog,
                slot,
                waker: known,
            } => {
                if !known.will_wake(waker) {
                    dog.update(*slot, waker);
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
        if let Registration::Watchdog { dog, slot, .. } = self {
            dog.cancel(*slot);
        }
    }
}

struct Watchdog {
    state: Mutex<State>,
    wake: Condvar,
}

/// The deadlines of one watchdog, in slots: registering and removing one is a
/// constant-time step under the lock (every request does both), and only the
/// watchdog, which looks seldom, goes through them all.
struct State {
    /// A deadline per slot, `None` where the slot is free. A slot is freed
    /// only by its registration (when its future finishes or is dropped), so
    /// a registration's slot stays its own while it lives.
    slots: Vec<Option<Deadline>>,
    /// Free slots, reused last freed first.
    free: Vec<usize>,
    /// The latest deadline ever registered.
    latest: Option<Instant>,
    /// When the watchdog thread looks again; `None` while it waits for a first
    /// deadline (or is busy waking futures and will look before it sleeps).
    wakes_at: Option<Instant>,
}

struct Deadline {
    at: Instant,
    /// Taken when the deadline passes and the future is woken.
    waker: Option<Waker>,
}

/// How many watchdogs share the deadlines. Each thread registers with one of
/// them (threads are dealt out in turn), so that runtime workers registering
/// at the same time rarely contend for the same lock; each watchdog has its own
/// thread, started on first use and asleep while it has nothing to watch.
const WATCHDOGS: usize = 4;

static WATCHDOG: [Watchdog; WATCHDOGS] = [const { Watchdog::new() }; WATCHDOGS];

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
    const fn new() -> Watchdog {
        Watchdog {
            state: Mutex::new(State {
                slots: Vec::new(),
                free: Vec::new(),
                latest: None,
                wakes_at: None,
            }),
            wake: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; if something ever did, the
        // slots are still consistent, so carry on with them.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a deadline; returns its slot.
    fn register(&self, at: Instant, waker: &Waker) -> usize {
        let mut state = self.lock();
        let deadline = Some(Deadline {
            at,
            waker: Some(waker.clone()),
        });
        let slot = match state.free.pop() {
            Some(slot) => {
                state.slots[slot] = deadline;
                slot
            }
            None => {
                state.slots.push(deadline);
                state.slots.len() - 1
            }
        };
        state.latest = state.latest.max(Some(at));
        // Only a deadline earlier than the watchdog's next look needs it awake.
        if state.wakes_at.is_none_or(|wakes_at| at < wakes_at) {
            self.wake.notify_one();
        }
        slot
    }

    fn update(&self, slot: usize, waker: &Waker) {
        let mut state = self.lock();
        // A deadline already passed keeps no waker: its future sees the time
        // when polled.
        if let Some(Some(Deadline {
            waker: Some(known), ..
        })) = state.slots.get_mut(slot)
        {
            known.clone_from(waker);
        }
    }

    fn cancel(&self, slot: usize) {
        let mut state = self.lock();
        if let Some(deadline) = state.slots.get_mut(slot)
            && deadline.take().is_some()
        {
            state.free.push(slot);
        }
    }

    /// The watchdog thread: wakes every future whose deadline has passed, then
    /// sleeps until the earliest deadline left (or until one is registered).
    fn run(&self) {
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            let mut due = Vec::new();
            let mut earliest: Option<Instant> = None;
            for deadline in state.slots.iter_mut().flatten() {
                if deadline.waker.is_none() {
                    continue;
                }
                if deadline.at <= now {
                    due.extend(deadline.waker.take());
                } else {
                    earliest = Some(earliest.map_or(deadline.at, |e| e.min(deadline.at)));
                }
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
            let next = earliest.or(state.latest.filter(|latest| *latest > now));
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

    #[tokio::test]
    async fn stops_a_future_whose_deadline_passed_before_it_waited() {
        // The first poll does not read the clock again: the watchdog catches
        // a deadline that is already past.
        let out = within(Some(Duration::ZERO), std::future::pending::<()>()).await;
        assert_eq!(out, Err(Elapsed));
    }

    #[test]
    fn reuses_the_slots_of_finished_deadlines() {
        let mut cx = Context::from_waker(Waker::noop());
        let slots = || watchdog().map(|dog| dog.lock().slots.len()).unwrap();
        let bounded = || {
            Box::pin(within(
                Some(Duration::from_secs(600)),
                std::future::pending::<()>(),
            ))
        };
        // Each test runs on a thread of its own, so this watchdog is shared
        // only with the threads dealt the same one: take a first registration
        // to have a slot free, then check that the next ones reuse it.
        let mut first = bounded();
        assert!(first.as_mut().poll(&mut cx).is_pending());
        drop(first);
        let before = slots();
        for _ in 0..100 {
            let mut again = bounded();
            assert!(again.as_mut().poll(&mut cx).is_pending());
        }
        // Without reuse there would be 100 more; other tests running at the
        // same time hold a few at most.
        assert!(slots() < before + 50, "{} slots, {before} before", slots());
    }

    /// How many deadlines more than 300 s away are registered (no other test
    /// registers such long ones).
    fn far_deadlines() -> usize {
        let far = Instant::now() + Duration::from_secs(300);
        WATCHDOG
            .iter()
            .map(|dog| {
                dog.lock()
                    .slots
                    .iter()
                    .flatten()
                    .filter(|d| d.at > far)
                    .count()
            })
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
