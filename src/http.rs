//! The local CSMS endpoint (csvault serve); for now its request signing.

pub mod signing;
