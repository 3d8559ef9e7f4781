"""Developer helper (not part of the product): patch a copy of the shared corpus generator
(../shared/eval/corpus) so that it renders a *held-out* split: other SoundFonts (TimGM6mb,
MuseScore General) and other GM programs than the public split, with its own seed.

    python3 heldout_patch.py GEN_DIR VARIANT     (VARIANT: a or b)

Used by scripts/eval/make_heldout.sh. The public corpus is what every threshold was looked
at against; a held-out render shows whether a result carries over to instruments and mixes
it has not seen. Fails loudly if the generator no longer has the lines it patches.
"""
import sys

gen, variant = sys.argv[1], sys.argv[2]

PROGRAMS = {
    # melodic programs disjoint from the public split's (see arrange.PROGRAMS["public"])
    "a": """    "heldout": {
        "bass": {"default": [39], "hip_hop": [34], "disco_funk": [34], "downtempo": [32], "ambient": [32]},
        "chords": {"default": [91], "house": [5, 17], "deep_house": [5], "trance": [82], "hip_hop": [5, 1],
                   "disco_funk": [27], "downtempo": [1, 5], "kpop_pop": [1, 5]},
        "pad": {"default": [88], "trance": [88, 94], "disco_funk": [49], "ambient": [88, 94, 49], "kpop_pop": [88, 49]},
        "lead": {"default": [82], "house": [84, 1], "deep_house": [5, 84], "hip_hop": [1, 71], "disco_funk": [62],
                 "downtempo": [71, 1], "ambient": [71, 1], "kpop_pop": [84, 82], "techno": [84]},
        "arp": {"default": [82], "ambient": [45, 11], "downtempo": [45], "kpop_pop": [11, 45], "hip_hop": [11]},
        "choir": {"default": [53, 54]},
        "fx": {"default": [120]},
        "pre": {"default": [94, 88]},
        "kit": {"default": [16], "trance": [16], "drum_and_bass": [24, 16], "dubstep": [25], "hip_hop": [25],
                "disco_funk": [8], "downtempo": [40, 0], "kpop_pop": [8, 25], "house": [16, 25]},
    },
""",
    "b": """    "heldout": {
        "bass": {"default": [37], "hip_hop": [36], "disco_funk": [36], "downtempo": [34], "ambient": [32]},
        "chords": {"default": [92], "house": [2, 18], "deep_house": [2], "trance": [50], "hip_hop": [2, 5],
                   "disco_funk": [26], "downtempo": [2, 5], "kpop_pop": [2, 17]},
        "pad": {"default": [50], "trance": [50, 92], "disco_funk": [49], "ambient": [92, 93, 50], "kpop_pop": [50, 92]},
        "lead": {"default": [83], "house": [87, 2], "deep_house": [11, 87], "hip_hop": [2, 72], "disco_funk": [56],
                 "downtempo": [72, 2], "ambient": [72, 11], "kpop_pop": [87, 83], "techno": [87]},
        "arp": {"default": [87], "ambient": [12, 9], "downtempo": [12], "kpop_pop": [9, 12], "hip_hop": [9]},
        "choir": {"default": [52, 53]},
        "fx": {"default": [122]},
        "pre": {"default": [95, 92]},
        "kit": {"default": [8], "trance": [8], "drum_and_bass": [8, 0], "dubstep": [24], "hip_hop": [0],
                "disco_funk": [32], "downtempo": [40, 32], "kpop_pop": [0, 8], "house": [8, 24]},
    },
""",
}
SEEDS = {"a": 777001, "b": 424242}


def patch(path, old, new):
    s = open(path).read()
    if old not in s:
        sys.exit(f"heldout_patch: {path} no longer contains {old!r}; update this script")
    open(path, "w").write(s.replace(old, new, 1))


patch(f"{gen}/gen_corpus.py", '    "FluidR3_GM": "/usr/share/sounds/sf2/FluidR3_GM.sf2",\n',
      '    "FluidR3_GM": "/usr/share/sounds/sf2/FluidR3_GM.sf2",\n'
      '    "TimGM6mb": "/usr/share/sounds/sf2/TimGM6mb.sf2",\n'
      '    "MuseScore_General": "/usr/share/sounds/sf3/MuseScore_General.sf3",\n')
patch(f"{gen}/gen_corpus.py", "SPLITS = {\n",
      'SPLITS = {\n    "heldout": dict(seed=%d, n=48, prefix="h", soundfonts=[("TimGM6mb", 1), '
      '("MuseScore_General", 1)], edges=[], variant_groups=0),\n' % SEEDS[variant])
patch(f"{gen}/arrange.py", "PROGRAMS = {\n", "PROGRAMS = {\n" + PROGRAMS[variant])
