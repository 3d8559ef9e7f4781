//! flowstate-harmony (being built)
