"""Media & multimodal content: playlist length, subtitle cue timing, clip frame counts (far probe)."""

from __future__ import annotations

from arena.families.base import Family, Instance, pool


def _srt(ms: int) -> str:
    """mm:ss,mmm (subtitle timestamps inside the first hour)."""
    return f"{ms // 60000:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


class PlaylistDuration(Family):
    name = "playlist-duration"
    domain = "media-multimodal"
    description = "total running time of a playlist in seconds from m:ss track lengths"
    fmt = "int"
    skills = ("extraction", "arithmetic", "answer-int", "time-arithmetic")
    tags = ("audio", "playlist")
    pools = {
        "title": pool(
            "Aurora Bloom Cascade Drift Echo Fable Glow Haze Ivory Jet",
            "Nimbus Orbit Prism Quill Ripple Saffron Tide Umber Velvet Willow",
        )
    }
    intros = {
        "train": ("Playlist for the station break:", "Tracks queued for the episode:"),
        "heldout": ("Running order of the radio segment:", "Set list with track lengths:"),
    }
    asks = {
        "main": {
            "train": (
                "What is the total length of the playlist in seconds?",
                "How many seconds do the tracks last in all?",
            ),
            "heldout": (
                "How long is the whole set, in seconds?",
                "Give the combined running time in seconds.",
            ),
        },
        "skip": {
            "train": ("How many seconds do the tracks not marked skipped last in total?",),
            "heldout": ("Leaving out the skipped track, how long is the set in seconds?",),
        },
    }

    def make(self, rng, level, split):
        n = (2, 3, 4)[level]
        titles = rng.sample(self.pool("title", split), n)
        lens = [(rng.randint(1, 3 if level == 0 else 5), rng.randint(0, 59)) for _ in titles]
        skipped = rng.randrange(n) if level == 2 else -1
        lines = [
            f"{i + 1}. {t} {m}:{s:02d}" + (" (skipped)" if i == skipped else "")
            for i, (t, (m, s)) in enumerate(zip(titles, lens))
        ]
        kept = [ln for i, ln in enumerate(lens) if i != skipped]
        total = sum(m * 60 + s for m, s in kept)
        shortcuts = {
            "minutes-only": str(sum(m for m, _ in kept) * 60),
            "seconds-field-only": str(sum(s for _, s in kept)),
        }
        if skipped >= 0:
            shortcuts["include-skipped"] = str(sum(m * 60 + s for m, s in lens))
        return Instance(
            "\n".join(lines),
            str(total),
            mode="skip" if skipped >= 0 else "main",
            candidates=tuple(titles),
            entities=tuple(titles),
            shortcuts=shortcuts,
        )


class SubtitleTiming(Family):
    name = "subtitle-timing"
    domain = "media-multimodal"
    description = "which subtitle cue stays on screen longest, and for how many milliseconds"
    fmt = "kv"
    skills = ("extraction", "arithmetic", "comparison", "answer-kv", "time-arithmetic")
    tags = ("subtitles", "srt")
    pools = {
        "line": pool(
            [
                "Hello there",
                "Run!",
                "Where is it?",
                "Not today",
                "Look out",
                "I knew it",
                "Come back",
                "Too late",
            ],
            [
                "Over here",
                "Wait for me",
                "Stop that",
                "Who goes?",
                "Not again",
                "Hold on",
                "Get down",
                "Sounds good",
            ],
        )
    }
    intros = {
        "train": ("Subtitle cues (index, start --> end, text):", "Cues from the .srt file:"),
        "heldout": ("Caption track, one cue per line:", "Timed captions of the clip:"),
    }
    asks = {
        "main": {
            "train": ("Which cue is shown the longest, and for how many milliseconds?",),
            "heldout": ("Find the caption that stays on screen longest and its duration in ms.",),
        }
    }

    def make(self, rng, level, split):
        n = (3, 4, 5)[level]
        step = 10 if level == 2 else 100
        for _ in range(200):
            texts = rng.sample(self.pool("line", split), n)
            durs = [step * rng.randint(800 // step, 4000 // step) for _ in range(n)]
            best = max(range(n), key=lambda i: durs[i])
            wordy = max(range(n), key=lambda i: len(texts[i]))
            if sorted(durs)[-2] + 200 <= durs[best] and wordy != best:
                break
        t, lines = rng.randint(0, 20) * 100, []
        for i, (txt, d) in enumerate(zip(texts, durs)):
            t += rng.randint(1, 15) * 100
            lines.append(f"{i + 1} {_srt(t)} --> {_srt(t + d)} {txt}")
            t += d
        return Instance(
            "\n".join(lines),
            f"cue={best + 1}\nms={durs[best]}",
            keys=("cue", "ms"),
            candidates=tuple(texts),
            entities=tuple(texts),
            shortcuts={
                "longest-text": f"cue={wordy + 1}\nms={durs[wordy]}",
                "first-cue": f"cue=1\nms={durs[0]}",
            },
        )


class ClipFrames(Family):
    name = "clip-frames"
    domain = "media-multimodal"
    description = "number of frames a clip spans at a given frame rate"
    fmt = "int"
    skills = ("extraction", "arithmetic", "answer-int", "time-arithmetic")
    tags = ("video", "editing")
    reserved = True
    pools = {
        "clip": pool(
            "intro b-roll soundbite outro teaser montage recap credits",
            "opener cutaway vox closer trailer reel bumper slate",
        )
    }
    intros = {
        "train": ("Edit decision list of the timeline (clip, in-out):", "Clips on the timeline:"),
        "heldout": ("Cut list from the editor, source in and out points:", "Sequence markers:"),
    }
    asks = {
        "main": {
            "train": ("At {fps} fps, how many frames does the {clip} clip span?",),
            "heldout": ("The project runs at {fps} fps. How many frames long is {clip}?",),
        }
    }

    def make(self, rng, level, split):
        n = (2, 3, 4)[level]
        names = rng.sample(self.pool("clip", split), n)
        fps = rng.choice((10, 24, 25, 30))
        t, rows = rng.randint(0, 30), []
        for _ in names:
            d = rng.randint(1, (5, 8, 12)[level])
            rows.append((t, t + d))
            t += d + rng.randint(0, 20)
        k = rng.randrange(n)
        s, e = rows[k]
        data = "\n".join(
            f"{nm} {s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for nm, (s, e) in zip(names, rows)
        )
        return Instance(
            data,
            str((e - s) * fps),
            {"fps": str(fps), "clip": names[k]},
            candidates=tuple(names),
            entities=tuple(names),
            shortcuts={"seconds": str(e - s), "end-times-fps": str(e * fps)},
        )
