//! flowstate-server (being built)
