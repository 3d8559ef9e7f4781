//! flowstate-audio (being built)
