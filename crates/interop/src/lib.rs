//! flowstate-interop (being built)
