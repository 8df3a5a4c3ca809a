//! Nothing here: the tests under `tests/` drive the emulator with the official `libsql` client.
