//! What the integration tests share: a scripted fake of the Databases API
//! ([`fake::Fake`]) and the JSON of its answers.
#![allow(dead_code)]

pub mod fake;
