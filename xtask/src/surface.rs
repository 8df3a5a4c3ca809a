//! A description of the API surface (placeholder, filled below).
