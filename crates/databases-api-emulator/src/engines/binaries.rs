//! Finding the engines' programs: on `PATH`, then where Debian installs them
//! (`/usr/lib/postgresql/<major>/bin`, which is not on `PATH`, and `/usr/sbin`
//! for `mariadbd`, which is not on a user's `PATH`).

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// PostgreSQL's programs, from one installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresPrograms {
    /// `initdb`.
    pub initdb: PathBuf,
    /// `postgres`.
    pub postgres: PathBuf,
}

/// MariaDB's programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MariadbPrograms {
    /// `mariadb-install-db` (or `mysql_install_db`).
    pub install_db: PathBuf,
    /// `mariadbd` (or `mysqld`).
    pub server: PathBuf,
}

/// Where programs are looked for.
#[derive(Debug, Clone)]
pub struct SearchPath {
    dirs: Vec<PathBuf>,
    postgres_lib: PathBuf,
}

impl SearchPath {
    /// `PATH`, then `/usr/local/sbin`, `/usr/sbin`, `/usr/local/bin`, `/usr/bin`;
    /// PostgreSQL is also looked for under `/usr/lib/postgresql`.
    pub fn from_env() -> Self {
        let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        for extra in ["/usr/local/sbin", "/usr/sbin", "/usr/local/bin", "/usr/bin"] {
            let extra = PathBuf::from(extra);
            if !dirs.contains(&extra) {
                dirs.push(extra);
            }
        }
        SearchPath {
            dirs,
            postgres_lib: PathBuf::from("/usr/lib/postgresql"),
        }
    }

    /// Exactly these directories, and `postgres_lib` for PostgreSQL's
    /// versioned directories (for tests).
    pub fn new(dirs: Vec<PathBuf>, postgres_lib: PathBuf) -> Self {
        SearchPath { dirs, postgres_lib }
    }

    /// The first executable named `name`.
    pub fn find(&self, name: &str) -> Option<PathBuf> {
        self.dirs
            .iter()
            .map(|d| d.join(name))
            .find(|p| is_executable(p))
    }

    /// `initdb` and `postgres` from the same directory: the first such
    /// directory on the search path, else the highest major version under
    /// `/usr/lib/postgresql`. Taking both from one directory keeps a cluster
    /// from being created by one version and served by another.
    pub fn postgres(&self) -> Option<PostgresPrograms> {
        let mut candidates = self.dirs.clone();
        candidates.extend(versioned_dirs(&self.postgres_lib));
        candidates.into_iter().find_map(|dir| {
            let initdb = dir.join("initdb");
            let postgres = dir.join("postgres");
            (is_executable(&initdb) && is_executable(&postgres))
                .then_some(PostgresPrograms { initdb, postgres })
        })
    }

    /// `redis-server`.
    pub fn redis(&self) -> Option<PathBuf> {
        self.find("redis-server")
    }

    /// MariaDB's server and bootstrap script (their MariaDB names first).
    pub fn mariadb(&self) -> Option<MariadbPrograms> {
        let server = self.find("mariadbd").or_else(|| self.find("mysqld"))?;
        let install_db = self
            .find("mariadb-install-db")
            .or_else(|| self.find("mysql_install_db"))?;
        Some(MariadbPrograms { install_db, server })
    }

    /// `mongod`.
    pub fn mongod(&self) -> Option<PathBuf> {
        self.find("mongod")
    }
}

/// `<lib>/<major>/bin` for every numeric `<major>`, highest first.
fn versioned_dirs(lib: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(lib) else {
        return Vec::new();
    };
    let mut versions: Vec<(u32, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((major, e.path().join("bin")))
        })
        .collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.0));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The first line a program prints for `--version`, trimmed; `None` when it
/// cannot be run. Engines report it as the version they really run.
pub fn version_line(program: &Path) -> Option<String> {
    let out = std::process::Command::new(program)
        .arg(OsStr::new("--version"))
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .next()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(dir: &Path, name: &str, mode: u32) {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, "#!/bin/sh\necho 'fake 1.0'\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn postgres_takes_both_programs_from_one_directory() {
        let root = tempfile::tempdir().unwrap();
        let on_path = root.path().join("bin");
        let lib = root.path().join("lib/postgresql");
        // Only `initdb` on PATH: not a usable installation.
        program(&on_path, "initdb", 0o755);
        program(&lib.join("13/bin"), "initdb", 0o755);
        program(&lib.join("13/bin"), "postgres", 0o755);
        program(&lib.join("15/bin"), "initdb", 0o755);
        program(&lib.join("15/bin"), "postgres", 0o755);
        std::fs::create_dir_all(lib.join("not-a-version/bin")).unwrap();
        let search = SearchPath::new(vec![on_path], lib.clone());
        let found = search.postgres().unwrap();
        assert_eq!(found.initdb, lib.join("15/bin/initdb"));
        assert_eq!(found.postgres, lib.join("15/bin/postgres"));
    }

    #[test]
    fn programs_that_are_not_executable_are_not_found() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("bin");
        program(&dir, "redis-server", 0o644);
        let search = SearchPath::new(vec![dir.clone()], root.path().join("none"));
        assert_eq!(search.redis(), None);
        program(&dir, "redis-server", 0o755);
        assert_eq!(search.redis(), Some(dir.join("redis-server")));
    }

    #[test]
    fn mariadb_needs_its_server_and_its_bootstrap_script() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("sbin");
        program(&dir, "mysqld", 0o755);
        let search = SearchPath::new(vec![dir.clone()], root.path().join("none"));
        assert_eq!(search.mariadb(), None);
        program(&dir, "mysql_install_db", 0o755);
        let found = search.mariadb().unwrap();
        assert_eq!(found.server, dir.join("mysqld"));
        program(&dir, "mariadbd", 0o755);
        assert_eq!(search.mariadb().unwrap().server, dir.join("mariadbd"));
    }
}
