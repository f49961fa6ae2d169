//! netstack crate (skeleton).
