//! flowstate-rank (being built)
