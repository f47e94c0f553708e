"""Generated avatars: a symmetric 5x5 identicon as SVG, derived from the user id."""

from html import escape


def identicon_svg(seed: str, initial: str = "") -> str:
    hue = int(seed[:4], 16) % 360
    cells = []
    bits = int(seed[4:12], 16)
    for row in range(5):
        for col in range(3):
            if bits & 1:
                for c in {col, 4 - col}:
                    cells.append(
                        f'<rect x="{c * 16 + 10}" y="{row * 16 + 10}" width="16" height="16"/>'
                    )
            bits >>= 1
    label = escape(initial[:1].upper()) if initial else ""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" role="img" '
        f'aria-label="avatar {label}">'
        f'<rect width="100" height="100" fill="hsl({hue},45%,92%)"/>'
        f'<g fill="hsl({hue},55%,42%)">{"".join(cells)}</g></svg>'
    )
