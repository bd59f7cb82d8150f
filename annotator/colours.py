"""Label colours as people see them: contrast against the page (WCAG 2), how they look with a colour-vision
deficiency, and the stylesheet of a project's labels, in which every highlight has a second cue beyond its colour."""

from __future__ import annotations

import math
from collections.abc import Iterable

Rgb = tuple[float, float, float]  # sRGB, each channel 0..1

WHITE: Rgb = (1.0, 1.0, 1.0)
BLACK: Rgb = (0.0, 0.0, 0.0)

# WCAG 2.2, 1.4.11 Non-text contrast: what identifies a highlight stands 3 : 1 against what is around it.
NON_TEXT_CONTRAST = 3.0
# How much of the label's colour a highlight's fill takes over the white page (annotator.css: .m, and .m with a second
# label). The underline in the label's strong colour must stand out against the deeper of the two.
FILL_SHARES = (0.45, 0.60)
# The second cue of a label, by its place in the project's order: the style of its highlight's underline (and of the
# line beside its entry in the list), so that labels differ without colour.
UNDERLINES = ("solid", "double", "dotted", "dashed", "wavy")
# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color vision deficiency",
# severity 1.0, applied to linear RGB.
DEFICIENCIES = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def parse(colour: str) -> Rgb:
    """'#rrggbb' as sRGB channels of 0..1."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"Not a colour as #rrggbb: {colour!r}")
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def hex_of(rgb: Rgb) -> str:
    return "#" + "".join(f"{round(min(1.0, max(0.0, c)) * 255):02x}" for c in rgb)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def luminance(rgb: Rgb) -> float:
    """WCAG 2 relative luminance."""
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Rgb, b: Rgb) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def mix(colour: Rgb, share: float, other: Rgb = WHITE) -> Rgb:
    """`share` of `colour` over `other`, as CSS color-mix(in srgb, colour share, transparent) shows on that ground."""
    return tuple(share * c + (1 - share) * o for c, o in zip(colour, other, strict=True))  # type: ignore[return-value]


def simulate(rgb: Rgb, deficiency: str) -> Rgb:
    """How a colour looks with the deficiency (protanopia, deuteranopia, tritanopia)."""
    linear = [_linear(c) for c in rgb]
    seen = tuple(_gamma(sum(m * c for m, c in zip(row, linear, strict=True))) for row in DEFICIENCIES[deficiency])
    return seen  # type: ignore[return-value]


def lab(rgb: Rgb) -> tuple[float, float, float]:
    """CIE L*a*b* (D65)."""
    r, g, b = (_linear(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def difference(a: Rgb, b: Rgb) -> float:
    """CIE76 colour difference, ΔE*ab: about 2.3 is just noticeable, past 10 two colours are plainly different."""
    return math.dist(lab(a), lab(b))


def nearest_pair(colours: Iterable[Rgb], deficiency: str | None = None) -> float:
    """The smallest difference between two of the colours, as seen with the deficiency (None: full colour vision)."""
    seen = [simulate(c, deficiency) if deficiency else c for c in colours]
    return min((difference(a, b) for i, a in enumerate(seen) for b in seen[i + 1 :]), default=math.inf)


# The colours a new label is offered, one at a time: distinct hues and lightnesses, each one black text reads on.
OFFERED = [
    "#f6d365",
    "#ff8a65",
    "#7ed957",
    "#e573c7",
    "#5fa8ff",
    "#c9a26b",
    "#b39ddb",
    "#4dd0a1",
    "#ff5c5c",
    "#bdbdbd",
]


def apart_from(used: Iterable[str]) -> str:
    """The offered colour farthest from every colour in use: the one whose nearest colour in use is the most
    different, compared as the highlights show them (the lighter fill over white), with full colour vision and with
    each common deficiency (the worst of the four counts)."""
    taken = [mix(parse(colour), FILL_SHARES[0]) for colour in used]
    if not taken:
        return OFFERED[0]

    def nearest(candidate: str) -> float:
        fill = mix(parse(candidate), FILL_SHARES[0])
        return min(
            difference(simulate(fill, d) if d else fill, simulate(other, d) if d else other)
            for d in (None, *DEFICIENCIES)
            for other in taken
        )

    return max(OFFERED, key=nearest)


def strong(colour: str, ratio: float = NON_TEXT_CONTRAST) -> str:
    """The label's colour darkened just enough to stand `ratio` : 1 against white and against the highlight fills of
    that colour: the colour of its underline and of the lines that stand for it."""
    rgb = parse(colour)
    grounds = [WHITE, *(mix(rgb, share) for share in FILL_SHARES)]
    shade = rgb
    for step in range(101):
        shade = mix(rgb, 1 - step / 100, BLACK)
        if all(contrast(shade, ground) >= ratio for ground in grounds):
            break
    return hex_of(shade)


def underline(order: int) -> str:
    """The underline style of the label at this place of the project's order."""
    return UNDERLINES[order % len(UNDERLINES)]


def label_rules(labels: Iterable[tuple[int, str, int]]) -> str:
    """The stylesheet of a project's labels, from (id, colour, place in the order): custom properties for the first
    and second label of a highlight (c1-, c2-) and for anything else standing for a label (lbl-)."""
    rules = []
    for pk, colour, order in labels:
        deep, style = strong(colour), underline(order)
        rules.append(f".c1-{pk}{{--c1:{colour};--c1s:{deep};--u1:{style}}}")
        rules.append(f".c2-{pk}{{--c2:{colour};--c2s:{deep}}}")
        rules.append(f".lbl-{pk}{{--lc:{colour};--lcs:{deep};--lu:{style}}}")
    return "\n".join(rules) + "\n"
