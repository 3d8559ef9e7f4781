//! flowstate-engine (being built)
