//! A local emulator of the Turso Platform API (work in progress).
