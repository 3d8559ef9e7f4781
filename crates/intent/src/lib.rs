//! flowstate-intent (being built)
