//! The Turso Platform API SDK (work in progress).
