"""Who the sample sellers are: ids, names, plans, stores, e-mail addresses and emergency phones.

Names mix US/Canadian businesses, cross-border sellers from China (Chinese and romanised names),
Mexican, British and German companies, and a fixed set of names that stress the display (wide
characters, emoji, 200+ characters, markup, an escape sequence): the TUI and the CLI must show
them literally. Phone strings come from small pools checked with the real rule
(``rules.phone_status``), so 50,000 accounts need only a few dozen phonenumbers parses.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from itertools import accumulate

from ahr_tui.rules import BY_CODE, PhoneStatus, phone_status

#: Display stress: each must come back from the database, and reach the screen, unchanged.
HOSTILE_NAMES: tuple[str, ...] = (
    "深圳市华强北电子商务有限公司",
    "🌟 Star Deals 🚀 Outlet",
    "[b]Bold[/b] Traders",
    "[@click=app.quit]Acme[/]",
    "Escape \x1b[2J Clearing Co",
    "Global Home & Garden Supplies International Trading Company of North America "
    "(Formerly Known As The Very Long Named Seller Incorporated), Authorised Distributor "
    "For Kitchen, Bath, Outdoor, Lighting, Hardware And Seasonal Decor Since 1987",
    "[red]Red Tag[/red] Sale ${seller_name} 100%",
    "東京ガジェット株式会社 / Tokyo Gadget KK",
    "Ünïcödé Wäréhöüsé GmbH",
    "Zero\u200bWidth\u202eReversed Ltd",
)

_US_FIRST = ("Blue", "Harbor", "Summit", "Prairie", "Cedar", "Lakeside", "Evergreen", "Redwood",
             "Liberty", "Golden", "Maple", "Pioneer", "Coastal", "Granite", "Sunrise", "Northern",
             "Silver", "Oak", "Bright", "Urban")
_US_SECOND = ("Goods", "Supply", "Outfitters", "Home", "Kitchenware", "Pet Co", "Electronics",
              "Apparel", "Toys", "Tools", "Beauty", "Sports", "Books", "Crafts", "Garden",
              "Audio", "Baby", "Wellness", "Office", "Gear")
_US_SUFFIX = ("LLC", "Inc.", "Co.", "", "Ltd.", "& Sons", "Trading")
_CN_CITY = ("深圳市", "广州市", "义乌市", "杭州市", "东莞市", "厦门市", "宁波市")
_CN_WORD = ("华为", "鑫源", "宇鑫", "恒达", "优品", "嘉禾", "星光", "金诚", "博远", "创维", "乐购",
            "美佳")
_CN_KIND = ("科技有限公司", "电子商务有限公司", "贸易有限公司", "家居用品有限公司", "电子有限公司")
_CN_PINYIN = ("Shenzhen", "Guangzhou", "Yiwu", "Hangzhou", "Dongguan", "Xiamen", "Ningbo")
_CN_BRAND = ("Yuxin", "Hengda", "Jiahe", "Xingguang", "Jincheng", "Boyuan", "Lego Trading",
             "Meijia", "Youpin", "Xinyuan")
_CN_TAIL = ("Technology Co., Ltd.", "E-Commerce Co., Ltd.", "Trading Co., Ltd.",
            "Electronics Co., Ltd.", "Home Products Co., Ltd.")
_MX = ("Comercializadora {} S.A. de C.V.", "Distribuidora {} S. de R.L.", "{} Importaciones")
_MX_WORD = ("Azteca", "del Norte", "Sol", "Jalisco", "Peña", "Bajío", "Maya", "Pacífico")
_UK = ("{} Trading Ltd", "{} & Co Ltd", "{} Direct")
_UK_WORD = ("Thames", "Pennine", "Highland", "Cotswold", "Brighton", "Mersey", "Kingsway")
_DE = ("{} Handels GmbH", "{} Versand GmbH", "{} Technik UG")
_DE_WORD = ("Müller", "Schäfer", "Rheinland", "Alpen", "Nordsee", "Bayern", "Weiß")

# Emergency phones by phone region: valid ones in several formats (with and without +1; none in
# 555-0100 to 555-0199, which is fiction: rules.phones), invalid ones that a seller might type.
# ``+86`` mobiles are valid anywhere (cross-border).
_VALID = {
    "US": ("+1 415 555 2671", "(206) 555-2143", "212-555-2187", "+1-312-555-2199",
           "617.555.2123", "+1 (646) 555-2111", "4155552100", "+14155552671"),
    "CA": ("+1 604 555 2199", "(416) 555-2123", "514-555-2147", "+1 403 555 2188",
           "613 555 2102"),
    "MX": ("+52 55 1234 5678", "55 1234 5678", "+52 81 8123 4567", "33 1234 5678"),
    "GB": ("+44 20 7946 0958", "020 7946 0958", "+44 161 496 0123", "0113 496 0000"),
    "DE": ("+49 30 12345678", "030 901820", "+49 89 1234567", "+49 40 123456789"),
}
_VALID_CN = ("+86 138 0013 8000", "+86 139 2456 7788", "+86 186 6612 3456")
_INVALID = ("555-0100", "+1 123 456 7890", "12345", "+44 20 1234", "call me", "000-000-0000",
            "+1 415 555 26", "(800) 555", "(212) 555-0123")
_MISSING: tuple[str | None, ...] = (None, None, "", "   ")

#: (store, weight): mostly the program's stores, some where it is not enabled.
STORE_WEIGHTS = (("US", 55), ("CA", 25), ("MX", 8), ("UK", 7), ("DE", 5))


@dataclass(frozen=True, slots=True)
class Person:
    seller_id: str
    store: str
    name: str
    plan: str
    email: str | None
    phone: str | None
    phone_kind: PhoneStatus
    chinese: bool


class PhoneBook:
    """Phone pools per (region, kind), each string checked once with the real rule."""

    def __init__(self) -> None:
        self._pools: dict[tuple[str, PhoneStatus], list[str | None]] = {}
        for region, numbers in _VALID.items():
            self._add(region, PhoneStatus.VALID, numbers)
            # what is too short in one country can be a valid number in another
            invalid = tuple(n for n in _INVALID if phone_status(n, region) is PhoneStatus.INVALID)
            self._add(region, PhoneStatus.INVALID, invalid[:6])
            self._add(region, PhoneStatus.MISSING, _MISSING)
            self._add(f"{region}+CN", PhoneStatus.VALID, _VALID_CN + numbers[:2])

    def _add(self, key: str, kind: PhoneStatus, numbers: tuple[str | None, ...]) -> None:
        region = key.split("+")[0]
        if len(numbers) < 3:
            raise AssertionError(f"too few sample phones for {key}")
        for number in numbers:
            if phone_status(number, region) is not kind:
                raise AssertionError(f"sample phone {number!r} is not {kind.value} in {region}")
        self._pools[(key, kind)] = list(numbers)

    def pick(self, rng: random.Random, store: str, kind: PhoneStatus, chinese: bool) -> str | None:
        region = BY_CODE[store].region
        key = f"{region}+CN" if chinese and kind is PhoneStatus.VALID else region
        return rng.choice(self._pools[(key, kind)])


_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def seller_id(rng: random.Random, taken: set[str]) -> str:
    """A merchant token like the marketplace's: 'A' and 13 upper-case letters or digits."""
    while True:
        token = "A" + base36(rng.getrandbits(68), 13)
        if token not in taken:
            taken.add(token)
            return token


def base36(number: int, width: int) -> str:
    """``width`` characters of ``number`` in digits and upper-case letters."""
    out = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        out.append(_ID_CHARS[digit])
    return "".join(out)


_CUMULATIVE: dict[tuple[tuple[str, int], ...], tuple[list[str], list[int]]] = {}


def weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    """One of ``pairs``' names, chosen with its weight."""
    table = _CUMULATIVE.get(pairs)
    if table is None:
        table = _CUMULATIVE[pairs] = ([p for p, _ in pairs], list(accumulate(w for _, w in pairs)))
    return rng.choices(table[0], cum_weights=table[1])[0]


def business_name(rng: random.Random, store: str, chinese: bool) -> str:
    if chinese:
        if rng.random() < 0.5:
            return rng.choice(_CN_CITY) + rng.choice(_CN_WORD) + rng.choice(_CN_KIND)
        return f"{rng.choice(_CN_PINYIN)} {rng.choice(_CN_BRAND)} {rng.choice(_CN_TAIL)}"
    if store == "MX":
        return rng.choice(_MX).format(rng.choice(_MX_WORD))
    if store == "UK":
        return rng.choice(_UK).format(rng.choice(_UK_WORD))
    if store == "DE":
        return rng.choice(_DE).format(rng.choice(_DE_WORD))
    name = f"{rng.choice(_US_FIRST)} {rng.choice(_US_SECOND)} {rng.choice(_US_SUFFIX)}"
    return name.strip()


_DOMAINS = {"US": "com", "CA": "ca", "MX": "com.mx", "UK": "co.uk", "DE": "de"}
_NOT_SLUG = re.compile("[^a-z0-9]")


def email_for(rng: random.Random, name: str, store: str, chinese: bool, index: int) -> str | None:
    if rng.random() < 0.05:
        return None
    slug = _NOT_SLUG.sub("", name.lower())[:16] or "seller"
    if chinese:
        return f"{slug}{index % 1000}@{rng.choice(('163.com', 'qq.com', 'foxmail.com'))}"
    mailbox = rng.choice(("ops", "support", "accounts", "hello", "sales"))
    return f"{mailbox}@{slug}.{_DOMAINS.get(store, 'com')}"
