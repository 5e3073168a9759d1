"""One-off generator of data/states/un-member-states.yaml from Debian's iso-codes (ISO 3166-1) and the UN
regional groups listed by the UN Department for General Assembly and Conference Management. After generation
the YAML file is the curated source; re-run only to rebuild it from scratch."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

GROUPS = {
    "AG": "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG MW ML MR MU MA "
    "MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG ZM ZW",
    "APG": "AF BH BD BT BN KH CN CY FJ IN ID IR IQ JP JO KZ KI KW KG LA LB MY MV MH FM MN MM NR NP KP OM PK PW PG PH "
    "QA KR WS SA SG SB LK SY TJ TH TL TO TM TV AE UZ VU VN YE",
    "EEG": "AL AM AZ BY BA BG HR CZ EE GE HU LV LT ME PL MD RO RU RS SK SI MK UA",
    "GRULAC": "AG AR BS BB BZ BO BR CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX NI PA PY PE KN LC VC SR TT UY VE",
    "WEOG": "AD AT AU BE CA DK FI FR DE GR IS IE IL IT LI LU MT MC NL NZ NO PT SM ES SE CH TR GB US",
}
OBSERVERS = {"VA", "PS"}
MEMBERS_URL = "https://www.un.org/en/about-us/member-states"
GROUPS_URL = "https://www.un.org/dgacm/en/content/regional-groups"
ISO_URL = "https://salsa.debian.org/iso-codes-team/iso-codes"
QID_A = ("https://github.com/owid/owid-grapher/blob/c7402d12e25bd1d45f5bd7d66cfc083342a1ed96/packages/"
         "@ourworldindata/grapher/src/mapCharts/CountriesRegions.ts", "Our World in Data country table (wikidata_uri)")
QID_B = ("https://github.com/waldenn/conzept/blob/149bbc9633a4bc725a076517c7a379eaa7c6e6de/app/explore2/src/data/"
         "countries.js", "Conzept country table (keyed by Wikidata QID)")


def wikidata_ids() -> dict[str, str]:
    """QIDs on which both transcribed datasets (data/raw/wikidata-qids.tsv) agree."""
    out = {}
    for line in Path("data/raw/wikidata-qids.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("iso2") or not line.strip():
            continue
        code, a, b = [*line.split("\t"), "", ""][:3]
        if a and a in b.split("|"):
            out[code] = a
    return out


def main() -> None:
    iso = {c["alpha_2"]: c for c in json.loads(Path("/usr/share/iso-codes/json/iso_3166-1.json").read_text())["3166-1"]}
    group_of = {code: g for g, codes in GROUPS.items() for code in codes.split()}
    qids = wikidata_ids()
    assert len(group_of) == 193, len(group_of)
    records = []
    for code in sorted(set(group_of) | OBSERVERS):
        c = iso[code]
        rec: dict[str, object] = {"id": code, "type": "state", "name": c.get("common_name", c["name"])}
        if "official_name" in c:
            rec["official_name"] = c["official_name"]
        rec |= {"iso3": c["alpha_3"], "iso_numeric": c["numeric"]}
        if code in qids:
            rec["wikidata"] = qids[code]
        rec["un_member"] = code in group_of
        sources = [{"url": ISO_URL, "title": "ISO 3166-1 codes, Debian iso-codes 4.15.0"}]
        if code in group_of:
            rec["un_regional_group"] = group_of[code]
            sources = [
                {"url": MEMBERS_URL, "title": "United Nations: Member States"},
                {"url": GROUPS_URL, "title": "United Nations Regional Groups of Member States"},
                *sources,
            ]
        else:
            sources = [
                {
                    "url": "https://www.un.org/en/about-us/non-member-states",
                    "title": "United Nations: Non-member States (permanent observers)",
                },
                *sources,
            ]
        if code in qids:
            sources += [{"url": QID_A[0], "title": QID_A[1], "note": "Wikidata id; agrees with the next source"},
                        {"url": QID_B[0], "title": QID_B[1], "note": "Wikidata id; agrees with the previous source"}]
        if code == "US":
            rec["note"] = (
                "Not a member of any regional group; attends WEOG meetings as an observer and is "
                "considered a member of WEOG for electoral purposes."
            )
        if code == "TR":
            rec["note"] = "Member of WEOG for electoral purposes; also participates in the Asia-Pacific Group."
        rec["sources"] = sources
        records.append(rec)
    text = yaml.safe_dump(records, sort_keys=False, allow_unicode=True, width=120)
    text = re.sub(r"^(  iso_numeric: )(\d+)$", r"\1'\2'", text, flags=re.M)
    header = "# UN member states and observer states. Generated once by tools/gen_states.py; now curated by hand.\n"
    Path("data/states/un-member-states.yaml").write_text(header + text)


if __name__ == "__main__":
    main()
