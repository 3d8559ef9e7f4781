//! flowstate-ml (being built)
