#!/bin/sh
# Renders the collating outputs to PNG with headless Chromium, to look at them as a reader would: every SVG of a
# 5-collating out/ folder (prisma-flow.svg, figures/*.svg) at its own size, and report.html as one tall page.
#
#   sh scripts/render.sh [OUT_DIR] [PNG_DIR] [PAGE_HEIGHT]
#
# OUT_DIR      a 5-collating out/ folder (default: stages/5-collating/out)
# PNG_DIR      where the PNGs go (default: .build/render, git-ignored); one PNG per SVG, report.png for the HTML
# PAGE_HEIGHT  the height in pixels of the report screenshot (default: 9000; the page is 1200 px wide)
#
# Besides report.png (the page from its top), each top-level section of the report (every <h2 id=…>) is also
# rendered on its own, 1200 x 1400 px from its heading, as report-<id>.png, so that a long page can be read
# part by part.
#
# Needs Debian's chromium package: installed with apt-get when missing (as root, or through sudo).
# Prints each PNG it wrote; exits 1 when Chromium is missing and cannot be installed, or a render fails.
set -eu

out=${1:-stages/5-collating/out}
png=${2:-.build/render}
page_height=${3:-9000}

if ! command -v chromium >/dev/null 2>&1; then
    echo "render: chromium is missing; installing Debian's chromium package" >&2
    SUDO=
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium fonts-liberation >&2 || {
        echo "render: cannot install chromium; run 'apt-get install chromium fonts-liberation' as root" >&2
        exit 1
    }
fi
[ -d "$out" ] || { echo "render: $out: no such folder (run the review first)" >&2; exit 1; }
mkdir -p "$png"
out_abs=$(cd "$out" && pwd)
png_abs=$(cd "$png" && pwd)

shot() { # shot URL PNG WIDTH HEIGHT
    # A fresh profile per shot, so that no earlier run or user profile changes the rendering.
    profile=$(mktemp -d)
    if ! chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" --force-device-scale-factor=1 \
        --default-background-color=ffffffff --window-size="$3,$4" --screenshot="$2" "$1" >/dev/null 2>&1; then
        rm -rf "$profile"
        echo "render: chromium could not render $1" >&2
        exit 1
    fi
    rm -rf "$profile"
    echo "$2 (${3}x$4)"
}

size() { # size SVG ATTRIBUTE: the root element's width or height, rounded up
    sed -n "s/^<svg [^>]* $2=\"\([0-9.]*\)\".*/\1/p" "$1" | head -n 1 | awk '{ printf "%d\n", ($1 == int($1)) ? $1 : int($1) + 1 }'
}

for svg in "$out_abs"/*.svg "$out_abs"/figures/*.svg; do
    [ -f "$svg" ] || continue
    width=$(size "$svg" width)
    height=$(size "$svg" height)
    [ -n "$width" ] && [ -n "$height" ] || { echo "render: $svg: no width and height on the <svg> element" >&2; exit 1; }
    name=$(basename "$svg" .svg)
    case $svg in */figures/*) name="figure-$name" ;; esac
    shot "file://$svg" "$png_abs/$name.png" "$width" "$height"
done
if [ -f "$out_abs/report.html" ]; then
    shot "file://$out_abs/report.html" "$png_abs/report.png" 1200 "$page_height"
    sections=$(mktemp -d)
    # One page per section: the report's head (styles) and that section's body, up to the next <h2>.
    awk -v dir="$sections" '
        !body { head = head $0 "\n"; if ($0 == "<body>") body = 1; next }
        /^<h2 id="/ { if (file != "") { print "</body></html>" > file; close(file) }
                      id = $0; sub(/^<h2 id="/, "", id); sub(/".*/, "", id)
                      file = dir "/" id ".html"; printf "%s", head > file }
        file != "" && !/^<\/body>/ && !/^<\/html>/ { print > file }
        END { if (file != "") print "</body></html>" > file }
    ' "$out_abs/report.html"
    for page in "$sections"/*.html; do
        [ -f "$page" ] || continue
        shot "file://$page" "$png_abs/report-$(basename "$page" .html).png" 1200 1400
    done
    rm -rf "$sections"
fi
