//! Who an engine runs as. PostgreSQL refuses to run as root (`initdb` and
//! `postgres` both) and MariaDB wants to be told, and CI runs as root: so a
//! root process runs every engine as an unprivileged account, the one the
//! engine's Debian package creates (`postgres`, `mysql`, `redis`), else
//! `nobody`, and hands it the engine's directory. Anyone else runs the
//! engines as themselves.

use std::path::Path;

use nix::unistd::{Gid, Uid, User};

use crate::credentials::Engine;
use crate::engines::error::EngineError;

/// An account to switch to before running an engine's programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    /// Its user id.
    pub uid: u32,
    /// Its primary group id.
    pub gid: u32,
}

/// The account `engine` runs as: `None` to run as this process's user (not
/// root), else the engine's own account or `nobody`.
pub fn for_engine(engine: Engine) -> Result<Option<Account>, EngineError> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    let wanted = package_account(engine);
    let user = [wanted, "nobody"]
        .into_iter()
        .find_map(|name| User::from_name(name).ok().flatten())
        .ok_or(EngineError::NoUnprivilegedAccount { engine, wanted })?;
    Ok(Some(Account {
        uid: user.uid.as_raw(),
        gid: user.gid.as_raw(),
    }))
}

/// The account the engine's Debian package creates.
fn package_account(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgresql => "postgres",
        Engine::Mysql => "mysql",
        Engine::Redis => "redis",
        Engine::Mongodb => "mongodb",
    }
}

/// Gives `path` to `account` (when there is one to switch to).
pub fn hand_over(path: &Path, account: Option<Account>) -> Result<(), EngineError> {
    let Some(account) = account else {
        return Ok(());
    };
    std::os::unix::fs::chown(
        path,
        Some(Uid::from_raw(account.uid).as_raw()),
        Some(Gid::from_raw(account.gid).as_raw()),
    )
    .map_err(|e| EngineError::io("giving to the engine's account", path, e))
}

/// Makes a command run as `account` (when there is one to switch to).
pub fn run_as(command: &mut tokio::process::Command, account: Option<Account>) {
    if let Some(account) = account {
        // std drops the supplementary groups too when a root process sets a uid.
        command.uid(account.uid).gid(account.gid);
    }
}

/// Writes a file only its owner can read, owned by `account`.
pub fn write_private(
    path: &Path,
    contents: &str,
    account: Option<Account>,
) -> Result<(), EngineError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| EngineError::io("writing", path, e))?;
    file.write_all(contents.as_bytes())
        .map_err(|e| EngineError::io("writing", path, e))?;
    hand_over(path, account)
}
