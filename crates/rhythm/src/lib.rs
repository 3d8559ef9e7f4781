//! flowstate-rhythm (being built)
