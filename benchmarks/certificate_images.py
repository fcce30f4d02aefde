"""Synthetic photos of certificates for the OCR tests and benchmark (issue 3): a MEM
特种作业操作证 or a SAMR 特种设备作业人员证 rendered with Pillow and a CJK font, in several
layouts (label and value in one box or in two columns, a single validity line or two),
slightly rotated, blurred and noisy like a phone photo. Deterministic for a seed."""

from __future__ import annotations

import io
import random
import subprocess
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
AUTHORITIES = ("上海市应急管理局", "北京市应急管理局", "江苏省应急管理厅", "广东省应急管理厅")
MEM_ITEMS = (
    ("MEM-2.1", "焊接与热切割作业", "熔化焊接与热切割作业"),
    ("MEM-1.1", "电工作业", "高压电工作业"),
    ("MEM-1.2", "电工作业", "低压电工作业"),
    ("MEM-3.1", "高处作业", "登高架设作业"),
    ("MEM-4.1", "制冷与空调作业", "制冷与空调设备运行操作作业"),
)


@lru_cache(maxsize=1)
def cjk_font_path() -> str:
    """A font with Chinese glyphs: a known path, else what fontconfig knows."""
    import os

    for path in FONT_CANDIDATES:
        if os.path.exists(path):
            return path
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False
        ).stdout
    except FileNotFoundError:
        out = ""
    paths = [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
    if not paths:
        raise RuntimeError(
            "No CJK font: `make test` installs Debian's fonts-wqy-microhei "
            "(apt-get install fonts-wqy-microhei)."
        )
    return sorted(paths)[0]


def id_number(rng: random.Random) -> str:
    from safework.core.idnumbers import id_check_char

    birth = date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
    first17 = (
        f"{rng.choice([110101, 310104, 320102, 440103])}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    )
    return first17 + id_check_char(first17)


@dataclass
class Card:
    """What is printed on the card, and what OCR should read back."""

    name: str
    sex: str
    id_number: str
    category: str
    item_name: str
    item_code: str
    number: str
    issued_by: str
    first_issued_on: date
    valid_from: date
    valid_until: date
    next_review_due: date
    layout: int = 0
    extra: dict = field(default_factory=dict)

    def expected(self) -> dict:
        return {
            "name": self.name,
            "id_number": self.id_number,
            "item": self.item_code,
            "number": self.number,
            "issued_by": self.issued_by,
            "first_issued_on": self.first_issued_on.isoformat(),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "next_review_due": self.next_review_due.isoformat(),
        }


def random_card(seed: int) -> Card:
    rng = random.Random(seed)
    code, category, item = rng.choice(MEM_ITEMS)
    idn = id_number(rng)
    start = date(rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 28))
    first = date(start.year - rng.randint(0, 6), start.month, start.day)
    return Card(
        name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2))),
        sex="男" if int(idn[16]) % 2 else "女",
        id_number=idn,
        category=category,
        item_name=item,
        item_code=code,
        number=("T" if rng.random() < 0.5 else "") + idn,
        issued_by=rng.choice(AUTHORITIES),
        first_issued_on=first,
        valid_from=start,
        valid_until=start.replace(year=start.year + 6),
        next_review_due=start.replace(year=start.year + 3),
        layout=seed % 3,
    )


def _fmt(d: date, style: int) -> str:
    return (f"{d:%Y-%m-%d}", f"{d.year}年{d.month}月{d.day}日", f"{d:%Y.%m.%d}")[style % 3]


def _lines(card: Card) -> list[tuple[str, str]]:
    style = card.layout
    validity = (
        [("有效期限", f"{_fmt(card.valid_from, style)}至{_fmt(card.valid_until, style)}")]
        if card.layout != 1
        else [
            ("有效期起", _fmt(card.valid_from, style)),
            ("有效期至", _fmt(card.valid_until, style)),
        ]
    )
    return [
        ("姓名", card.name),
        ("性别", card.sex),
        ("身份证号", card.id_number),
        ("作业类别", card.category),
        ("准操项目", card.item_name),
        ("证号", card.number),
        ("初领日期", _fmt(card.first_issued_on, style)),
        *validity,
        ("应复审日期", _fmt(card.next_review_due, style)),
        ("发证机关", card.issued_by),
    ]


def render(card: Card, *, seed: int = 0, size=(1000, 640)) -> bytes:
    """The card as a JPEG "photo": layout 0 "label：value" in one run, layout 1 labels
    and values in two columns, layout 2 a tinted card; rotated, blurred, noisy."""
    rng = random.Random(seed)
    font = ImageFont.truetype(cjk_font_path(), 28)
    title_font = ImageFont.truetype(cjk_font_path(), 34)
    tint = (255, 255, 255) if card.layout != 2 else (238, 244, 255)
    img = Image.new("RGB", size, tint)
    draw = ImageDraw.Draw(img)
    draw.text((180, 18), "中华人民共和国特种作业操作证", font=title_font, fill=(150, 20, 20))
    y = 80
    for label, value in _lines(card):
        if card.layout == 1:
            draw.text((60, y), label, font=font, fill=(40, 40, 40))
            draw.text((300, y), value, font=font, fill=(0, 0, 0))
        else:
            draw.text((60, y), f"{label}：{value}", font=font, fill=(10, 10, 10))
        y += 48
    return _photo(img, rng)


def _photo(img: Image.Image, rng: random.Random) -> bytes:
    img = img.rotate(rng.uniform(-2.5, 2.5), expand=True, fillcolor=(205, 200, 190))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
    noise = Image.effect_noise(img.size, rng.uniform(6, 14)).convert("RGB")
    img = Image.blend(img, noise, 0.08)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)
    return out.getvalue()


def score(card: Card, fields: dict) -> tuple[int, int]:
    """(fields read correctly, fields expected)."""
    expected = card.expected()
    got = {k: (v or {}).get("value") for k, v in fields.items()}
    return sum(1 for k, v in expected.items() if got.get(k) == v), len(expected)
