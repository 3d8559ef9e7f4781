//! flowstate-corpus (being built)
