//! What `/proc` says about a process: whether it still runs, when it
//! started, and this boot's id. Read without the async runtime, so that a
//! `Drop` may ask; shared by the servers' supervision (`process`) and the
//! sweep of what a crash left behind (`leftovers`).

/// Whether `pid` still runs, read from `/proc` so that it works without the
/// async runtime, which may be blocked by the `Drop` that asks. A process is
/// done when it is gone, or when it is a zombie (ended, not yet reaped by the
/// watching task) with no thread left: the leader of a multi-threaded server
/// (Redis, MariaDB) turns zombie while its other threads still exit, and its
/// files (its listening socket) are closed only after the last of them.
pub fn runs(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state follows the command name, which is in parentheses.
    let zombie = stat
        .rsplit(')')
        .next()
        .is_some_and(|rest| rest.trim_start().starts_with(['Z', 'X']));
    if !zombie {
        return true;
    }
    std::fs::read_dir(format!("/proc/{pid}/task")).is_ok_and(|tasks| tasks.count() > 1)
}

/// This boot's id: a pid and a start time name a process within one boot.
pub(crate) fn boot_id() -> Option<String> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    Some(id.trim().to_string())
}

/// When `pid` started, in clock ticks since boot (`/proc/<pid>/stat`, field 22).
pub(crate) fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised name start with the state (field 3).
    stat.rsplit(')')
        .next()?
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()
}
