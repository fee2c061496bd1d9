"""Benchmark: 10,000 box labels on Avery L7160, then a rasterise + decode sample.

Run with ``python bench/labels.py``. Prints labels/s for the real sheets, a baseline
(the same sheets with text only, no barcodes) and their ratio, then renders a sample of
pages at 300 dpi and decodes them with zxing-cpp. Target: >= 1,000 labels/s.
"""

import argparse
import io
import random
import sys
import time
from datetime import date
from pathlib import Path

# Run as a script, this file's directory comes first on sys.path and its name would
# shadow the ``labels`` package: put the project root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import labels  # noqa: E402
from labels.pdf import FONT, FONT_BOLD, new_canvas  # noqa: E402

TARGET = 1000.0


def box_specs(count: int) -> list[labels.BoxLabel]:
    return [
        labels.BoxLabel(
            barcode=f"BX{n:08d}{'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[n % 36]}",
            box_number=f"{n:05d}",
            storeroom_path="Magasin 3 / Épi 04 / Travée 02",
            date_from=date(2019, 3, 1),
            date_to=date(2021, 6, 5),
            first_file=f"2019-{n:05d}",
            last_file=f"2021-{n:05d}",
        )
        for n in range(1, count + 1)
    ]


def timed(specs: list[labels.BoxLabel]) -> tuple[float, labels.RenderResult]:
    started = time.perf_counter()
    result = labels.render_label_sheet(specs, "avery-l7160", invariant=True)
    return time.perf_counter() - started, result


def text_only_baseline(specs: list[labels.BoxLabel]) -> float:
    """Same sheets drawn with plain ReportLab calls: same texts, no fitting, no bars."""
    layout = labels.get_layout("avery-l7160")
    started = time.perf_counter()
    canvas = new_canvas(io.BytesIO(), layout.page_size, title="b", invariant=True)
    for number, spec in enumerate(specs):
        slot = number % layout.capacity + 1
        if slot == 1 and number:
            canvas.showPage()
        cell = labels.slot_rect(layout, slot)
        centre = cell.x + cell.width / 2
        canvas.setFont(FONT_BOLD, 13)
        canvas.drawCentredString(centre, cell.top - 20, f"Boîte {spec.box_number}")
        canvas.setFont(FONT, 8)
        for line, text in enumerate(
            (
                spec.storeroom_path,
                "Dates : 01/03/2019 \u2013 05/06/2021",
                f"Dossiers : {spec.first_file} \u2013 {spec.last_file}",
                labels.human_readable(spec.barcode),
            ),
        ):
            canvas.drawCentredString(centre, cell.top - 32 - 10 * line, text)
    canvas.showPage()
    canvas.save()
    return time.perf_counter() - started


def decode_sample(pdf: bytes, sample: int) -> tuple[int, int]:
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf)
    pages = random.Random(7).sample(range(len(document)), min(sample, len(document)))
    expected = decoded = 0
    for index in pages:
        image = document[index].render(scale=300 / 72).to_pil()
        texts = [
            r.text
            for r in zxingcpp.read_barcodes(
                image, formats=zxingcpp.BarcodeFormat.Code128, try_downscale=False
            )
        ]
        expected += 21
        decoded += len(set(texts))
    document.close()
    return decoded, expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--sample-pages", type=int, default=10)
    args = parser.parse_args()
    specs = box_specs(args.count)
    timed(specs[:21])  # warm-up: font registration, caches
    seconds, result = timed(specs)
    baseline = text_only_baseline(specs)
    rate, base_rate = args.count / seconds, args.count / baseline
    print(f"labels:   {args.count} box labels, {result.pages} pages, {seconds:.2f} s")
    print(f"rate:     {rate:,.0f} labels/s (target {TARGET:,.0f})")
    print(f"baseline: {base_rate:,.0f} labels/s (same sheets, text only, no bars)")
    print(f"ratio:    {seconds / baseline:.2f}x the text-only time")
    print(f"size:     {len(result.pdf) / 1e6:.1f} MB")
    decoded, expected = decode_sample(result.pdf, args.sample_pages)
    print(
        f"decode:   {decoded}/{expected} barcodes on {args.sample_pages} sampled pages "
        f"({100 * decoded / expected:.1f} %)"
    )
    if rate < TARGET or decoded != expected:
        raise SystemExit("below target")


if __name__ == "__main__":
    main()
