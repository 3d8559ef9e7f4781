//! flowstate-analysis (being built)
